"""Names in a Python file for the excessive-io detector: what its imports bind, what its
assignments and parameters hold, and the scope walk they are read from."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from tree_sitter import Node

from ...lang.python.memo import node_key, nodes_of
from ...parsing import SourceFile, walk_pruned
from .python_sink_list import Category, Sinks, text

SCOPE_TYPES = ("function_definition", "class_definition", "lambda")


def imports_of(src: SourceFile) -> dict[str, str]:
    """Local name -> dotted qualified name, for every import of the file (relative ones keep
    their leading dots)."""
    names: dict[str, str] = {}
    for node in nodes_of(src, "import_statement", "import_from_statement"):
        if node.type == "import_statement":
            for item in node.children_by_field_name("name"):
                _add_import(src, item, "", names)
        elif node.type == "import_from_statement":
            module = text(src, node.child_by_field_name("module_name"))
            for item in node.children_by_field_name("name"):
                _add_import(src, item, module, names)
    return names


def _add_import(src: SourceFile, item: Node, module: str, names: dict[str, str]) -> None:
    if item.type == "aliased_import":
        full = text(src, item.child_by_field_name("name"))
        alias = text(src, item.child_by_field_name("alias"))
        names[alias] = _join(module, full)
    elif item.type == "dotted_name":
        full = text(src, item)
        if module:
            names[full] = _join(module, full)
        else:
            names[full.split(".")[0]] = full.split(".")[0]


def _join(module: str, name: str) -> str:
    if not module:
        return name
    return module + name if module.endswith(".") else f"{module}.{name}"


def walk_scope(node: Node) -> Iterator[Node]:
    """Nodes below `node` that run with it: nested defs, classes and lambdas are not entered."""
    return walk_pruned(node, SCOPE_TYPES, meet_skipped=True)


def _scope_of(node: Node) -> tuple[int, int]:
    """The enclosing function of a node (a parameter belongs to its function)."""
    current = node.parent
    while current is not None and current.type != "function_definition":
        current = current.parent
    return (current.start_byte, current.end_byte) if current is not None else (-1, -1)


@dataclass
class FileNames:
    """What a file's names refer to: imports, and variables known to hold an I/O resource."""

    src: SourceFile
    sinks: Sinks
    imports: dict[str, str] = field(default_factory=dict)
    resources: dict[str, list[tuple[Category, Node]]] = field(default_factory=dict)
    factories: dict[str, Category] = field(default_factory=dict)  # `Session = sessionmaker(...)`
    _scopes: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict, repr=False)

    def scope_of(self, node: Node) -> tuple[int, int]:
        key = node_key(node)
        scope = self._scopes.get(key)
        if scope is None:
            scope = self._scopes[key] = _scope_of(node)
        return scope

    def resource(self, key: str, at: Node) -> Category | None:
        """The category of the I/O handle `key` as seen from node `at`: a binding in the same
        function wins over one elsewhere in the file (`session` may be a SQLAlchemy session in
        one function and an aiohttp session in the next)."""
        held = self.resources.get(key)
        if not held:
            return None
        scope = _scope_of(at)
        local = [cat for cat, node in held if self.scope_of(node) == scope]
        return local[-1] if local else held[0][0]

    def bindings(self, key: str) -> list[Node]:
        return [node for _, node in self.resources.get(key, [])]

    def dotted(self, node: Node | None) -> str | None:
        """The qualified dotted name of an identifier/attribute chain, or None."""
        if node is None:
            return None
        if node.type == "identifier":
            name = text(self.src, node)
            return self.imports.get(name, name)
        if node.type == "attribute":
            obj = self.dotted(node.child_by_field_name("object"))
            attr = node.child_by_field_name("attribute")
            if obj is None or attr is None:
                return None
            return f"{obj}.{text(self.src, attr)}"
        return None

    def type_category(self, node: Node) -> Category | None:
        """The category of a type annotation (`Session`, `Optional[httpx.Client]`, ...)."""
        for sub in walk_scope(node):
            if sub.type in ("identifier", "attribute"):
                dotted = self.dotted(sub)
                cat = self.sinks.by_type(dotted) if dotted else None
                if cat is not None:
                    return cat
        return None


def file_names(src: SourceFile, sinks: Sinks) -> FileNames:
    names = FileNames(src=src, sinks=sinks, imports=imports_of(src))
    for node in nodes_of(src, "assignment", "as_pattern", "typed_parameter", "typed_default_parameter"):
        if node.type in ("assignment", "as_pattern"):
            _note_assignment(names, node)
        elif node.type == "typed_parameter" or node.type == "typed_default_parameter":
            _note_parameter(names, node)
    return names


def _note_assignment(names: FileNames, node: Node) -> None:
    if node.type == "assignment":
        target, value = node.child_by_field_name("left"), node.child_by_field_name("right")
        annotation = node.child_by_field_name("type")
    else:
        target = node.child_by_field_name("alias")
        value = node.children[0] if node.children else None
        annotation = None
    if target is None or target.type not in ("identifier", "attribute", "as_pattern_target"):
        return
    key = text(names.src, target)
    if value is not None and value.type == "call":
        made = names.dotted(value.child_by_field_name("function"))
        factory = names.sinks.by_factory(made) if made else None
        if factory is not None:
            names.factories[key] = factory
            return
    cat = names.type_category(annotation) if annotation is not None else None
    if cat is None and value is not None:
        cat = constructed_category(names, value)
    if cat is not None:
        names.resources.setdefault(key, []).append((cat, node))


def _note_parameter(names: FileNames, node: Node) -> None:
    annotation = node.child_by_field_name("type")
    ident = next((c for c in node.children if c.type == "identifier"), None)
    if annotation is None or ident is None:
        return
    cat = names.type_category(annotation)
    if cat is not None:
        names.resources.setdefault(text(names.src, ident), []).append((cat, node))


def constructed_category(names: FileNames, value: Node) -> Category | None:
    """The category of a value built by a connect/type constructor, or of a cursor/client
    derived from a known resource (`conn.cursor()`, `session.client("s3")`)."""
    while value.type in ("await", "parenthesized_expression") and value.named_children:
        value = value.named_children[-1]
    if value.type == "identifier":
        return names.resource(text(names.src, value), value)
    if value.type == "binary_operator" and text(names.src, value.child_by_field_name("operator")) == "/":
        left = value.child_by_field_name("left")
        return constructed_category(names, left) if left is not None else None  # Path / "name"
    if value.type == "attribute" and text(names.src, value.child_by_field_name("attribute")) in (
            "parent", "parents", "with_suffix", "with_name"):
        obj = value.child_by_field_name("object")
        return constructed_category(names, obj) if obj is not None else None
    if value.type != "call":
        return None
    fn = value.child_by_field_name("function")
    dotted = names.dotted(fn)
    if dotted:
        cat = names.sinks.by_type(dotted) or names.factories.get(text(names.src, fn))
        if cat is not None:
            return cat
    if fn is not None and fn.type == "attribute":
        obj = fn.child_by_field_name("object")
        held = names.resource(text(names.src, obj), obj) if obj is not None else None
        if held is not None and text(names.src, fn.child_by_field_name("attribute")) in (
            "cursor", "client", "resource", "connect", "begin", "Table", "Bucket", "Object",
            "acquire", "joinpath",
            "with_suffix", "with_name", "resolve", "absolute", "expanduser"):
            return held
    return None
