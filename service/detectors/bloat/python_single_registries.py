"""Registries added for a single implementation, for the Python single-implementation detector: a
dict or list of handlers, or a register() call site, that only ever holds one entry."""

from __future__ import annotations

from collections.abc import Container, Iterator
from dataclasses import dataclass

from tree_sitter import Node

from ...detector import FileContext, Rule
from ...lang.python import shape_index, shapes
from ...models import Finding, Severity
from ...parsing import SourceFile, line_of, walk

RULE = Rule(
    id="python.bloat.single-implementation",
    category="bloat",
    languages=("python",),
    severity=Severity.WARNING,
    summary="Interface, factory or registry added for a single implementation",
    confidence="medium",
)


_LOOPS = frozenset({"for_statement", "while_statement", "list_comprehension",
                    "set_comprehension", "dictionary_comprehension", "generator_expression"})


_LITERALS = frozenset({"string", "concatenated_string", "integer", "float", "true", "false", "none"})


_SCALARS = frozenset({"int", "float", "str", "bool", "bytes", "Decimal", "datetime", "date", "list", "dict",
                      "set", "tuple", "List", "Dict", "Set", "Tuple"})


@dataclass(frozen=True)
class _Container:
    """A dict that may serve as a registry: module level (`owner` None) or a class attribute."""

    name: str
    node: Node  # the assignment
    owner: shapes.ClassInfo | None
    literal_entries: int


# ------------------------------------------------------------------ registries


def _registries(ctx: FileContext, src: SourceFile, index: shape_index.RepoIndex) -> Iterator[Finding]:
    classes = index.classes_in.get(ctx.path, [])
    known = shape_index.DefinedNames(index)  # read on the first container that needs it
    for container in _containers(src, classes, known):
        finding = _registry_finding(ctx, src, container, index)
        if finding is not None:
            yield finding


def _containers(src: SourceFile, classes: list[shapes.ClassInfo], known: Container[str]) -> Iterator[_Container]:
    root = src.root
    assert root is not None
    scopes: list[tuple[Node | None, shapes.ClassInfo | None]] = [(root, None)]
    scopes += [(c.node.child_by_field_name("body"), c) for c in classes]
    for cls in classes:  # `self._items = {}` in __init__
        scopes += [(m.child_by_field_name("body"), cls) for m, _ in cls.methods()
                   if shapes.text_of(src, m.child_by_field_name("name")) == "__init__"]
    for scope, owner in scopes:
        for stmt in scope.named_children if scope is not None else []:
            assign = stmt.named_children[0] if stmt.type == "expression_statement" and stmt.named_child_count else None
            if assign is None or assign.type != "assignment":
                continue
            left, right = assign.child_by_field_name("left"), assign.child_by_field_name("right")
            if left is None or right is None:
                continue
            on_self = shapes.text_of(src, left.child_by_field_name("object")) == "self"
            if left.type == "attribute" and owner is not None and on_self:
                left = left.child_by_field_name("attribute")
            elif left.type != "identifier":
                continue
            entries = _registry_literal(src, right, known)
            if entries is not None and left is not None:
                yield _Container(src.node_text(left), assign, owner, entries)


def _registry_literal(src: SourceFile, value: Node, known: Container[str]) -> int | None:
    """Entries of a dict that maps keys to classes/functions; None when not such a dict."""
    if value.type == "call" and src.node_text(value).replace(" ", "") == "dict()":
        return 0
    if value.type != "dictionary":
        return None
    pairs = [p for p in value.named_children if p.type == "pair"]
    if len(pairs) != value.named_child_count:
        return None
    for pair in pairs:
        val = pair.child_by_field_name("value")
        if val is not None and val.type == "call":  # an instance: {"avatar": AvatarConfig()}
            val = val.child_by_field_name("function")
        if val is None or val.type not in ("identifier", "attribute"):
            return None
        if shapes.last_name(src, val) not in known:
            return None
    return len(pairs)


def _references(src: SourceFile, container: _Container) -> Iterator[Node]:
    """Nodes referring to the container (an identifier, or `X.name` for a class attribute)."""
    root = src.root
    assert root is not None
    for node in walk(root):
        if container.owner is None:
            if node.type == "identifier" and src.node_text(node) == container.name:
                parent = node.parent
                if parent is not None and parent.type in ("attribute", "keyword_argument") and (
                    parent.child_by_field_name("attribute") == node or parent.type == "keyword_argument"
                ):
                    continue
                yield node
        elif node.type == "attribute":
            attr = node.child_by_field_name("attribute")
            obj = node.child_by_field_name("object")
            if (
                attr is not None and obj is not None and src.node_text(attr) == container.name
                and src.node_text(obj) in ("cls", "self", container.owner.name)
            ):
                yield node


def _registry_finding(
    ctx: FileContext, src: SourceFile, container: _Container, index: shape_index.RepoIndex
) -> Finding | None:
    left = container.node.child_by_field_name("left")
    writers: list[Node] = []
    readers: list[Node] = []
    for ref in _references(src, container):
        if left is not None and ref.start_byte >= left.start_byte and ref.end_byte <= left.end_byte:
            continue
        if _is_registration_write(src, ref):
            outer = _outermost_function(ref)
            if outer is not None:
                writers.append(outer)
        else:
            readers.append(ref)
    writer_spans = [(w.start_byte, w.end_byte) for w in writers]
    readers = [r for r in readers if not any(a <= r.start_byte < b for a, b in writer_spans)]
    if not readers or (not writers and container.literal_entries == 0):
        return None
    count = container.literal_entries
    for writer in {w.id: w for w in writers}.values():
        count += _registration_count(src, writer, index)
    if count != 1:
        return None
    target = _report_target(ctx, src, container, readers, index)
    if target is None:
        return None
    name = target[1]
    return ctx.finding(
        RULE,
        target[0],
        f"{name} looks implementations up in the registry {container.name}, which holds a single "
        f"entry; call that implementation directly and add a registry once a second one exists.",
    )


def _is_registration_write(src: SourceFile, ref: Node) -> bool:
    """`REG[key] = param` where `param` is a parameter of the enclosing function."""
    sub = ref.parent
    if sub is None or sub.type != "subscript" or sub.child_by_field_name("value") != ref:
        return False
    assign = sub.parent
    if assign is None or assign.type != "assignment" or assign.child_by_field_name("left") != sub:
        return False
    value = assign.child_by_field_name("right")
    func = _enclosing_function(assign)
    if value is None or func is None or value.type != "identifier":
        return False
    name = src.node_text(value)
    if name not in _parameter_names(src, func):
        return False
    return not _scalar_parameter(src, func, name)


def _scalar_parameter(src: SourceFile, func: Node, name: str) -> bool:
    """The parameter is annotated as plain data (a counter or a cache, not a registry)."""
    params = func.child_by_field_name("parameters")
    for param in params.named_children if params is not None else []:
        ident = next((c for c in param.named_children if c.type == "identifier"), None)
        annotation = param.child_by_field_name("type")
        if ident is not None and annotation is not None and src.node_text(ident) == name:
            return shapes.last_name(src, annotation.named_children[0] if annotation.named_child_count else annotation) \
                in _SCALARS
    return False


def _enclosing_function(node: Node) -> Node | None:
    current = node.parent
    while current is not None and current.type != "function_definition":
        current = current.parent
    return current


def _outermost_function(node: Node) -> Node | None:
    found = None
    current = node.parent
    while current is not None:
        if current.type == "function_definition":
            found = current
        current = current.parent
    return found


def _parameter_names(src: SourceFile, func: Node) -> set[str]:
    params = func.child_by_field_name("parameters")
    names = set()
    for param in params.named_children if params is not None else []:
        ident = param if param.type == "identifier" else next(
            (c for c in param.named_children if c.type == "identifier"), None
        )
        if ident is not None:
            names.add(src.node_text(ident))
    return names


def _registration_count(src: SourceFile, writer: Node, index: shape_index.RepoIndex) -> int:
    """How many times the registering function is used across the repository (2 = many)."""
    name = src.node_text(writer.child_by_field_name("name") or writer)
    owner = _owner_class(src, writer)
    objects = {owner} if owner else set()
    if owner:
        objects |= _instance_names(index, owner)
    count = 0
    for other in index.sources_containing(name):
        if other.root is None:
            continue
        for node in walk(other.root):
            if node.type not in ("call", "decorator"):
                continue
            if writer.start_byte <= node.start_byte < writer.end_byte and other is src:
                continue
            if _uses(other, node, name, objects, owner is not None):
                count += 2 if _in_loop(node) else 1
                if count > 1:
                    return count
    return count


def _owner_class(src: SourceFile, func: Node) -> str | None:
    parent = func.parent
    if parent is not None and parent.type == "decorated_definition":
        parent = parent.parent
    if parent is not None and parent.type == "block" and parent.parent is not None \
            and parent.parent.type == "class_definition":
        return shapes.text_of(src, parent.parent.child_by_field_name("name"))
    return None


def _instance_names(index: shape_index.RepoIndex, cls_name: str) -> set[str]:
    names = set()
    for src in index.sources_containing(cls_name):
        if src.root is None:
            continue
        for stmt in src.root.named_children:
            assign = stmt.named_children[0] if stmt.type == "expression_statement" and stmt.named_child_count else None
            if assign is None or assign.type != "assignment":
                continue
            left, right = assign.child_by_field_name("left"), assign.child_by_field_name("right")
            if left is not None and right is not None and right.type == "call":
                func = right.child_by_field_name("function")
                if func is not None and shapes.last_name(src, func) == cls_name:
                    names.add(src.node_text(left))
    return names


def _uses(src: SourceFile, node: Node, name: str, objects: set[str], method: bool) -> bool:
    if node.type == "decorator":
        expr = node.named_children[0] if node.named_child_count else None
        if expr is None or expr.type == "call":
            return False  # the call inside is counted as a call
    else:
        expr = node.child_by_field_name("function")
        args = node.child_by_field_name("arguments")
        in_decorator = node.parent is not None and node.parent.type == "decorator"
        if not in_decorator and args is not None and all(a.type in _LITERALS for a in args.named_children):
            return False  # `counter.add("a", 1)`: data, not a registered implementation
    if expr is None:
        return False
    if expr.type == "identifier":
        return not method and src.node_text(expr) == name
    if expr.type == "attribute":
        attr, obj = expr.child_by_field_name("attribute"), expr.child_by_field_name("object")
        if attr is None or obj is None or src.node_text(attr) != name:
            return False
        return not method or src.node_text(obj) in objects | {"cls", "self"}
    return False


def _in_loop(node: Node) -> bool:
    current = node.parent
    while current is not None and current.type not in ("function_definition", "module"):
        if current.type in _LOOPS:
            return True
        current = current.parent
    return False


def _report_target(
    ctx: FileContext, src: SourceFile, container: _Container, readers: list[Node], index: shape_index.RepoIndex
) -> tuple[int, str] | None:
    if container.owner is not None:
        owner = container.owner
        return (owner.line, owner.name) if shapes.is_new(ctx.diff, owner.node) else None
    for reader in readers:
        for cls in index.classes_in.get(ctx.path, []):
            inside = cls.node.start_byte <= reader.start_byte < cls.node.end_byte
            if inside and shapes.is_new(ctx.diff, cls.node):
                return cls.line, cls.name
    for reader in readers:
        func = _outermost_function(reader)
        if func is not None and shapes.is_new(ctx.diff, func):
            return line_of(func), shapes.text_of(src, func.child_by_field_name("name"))
    if shapes.is_new(ctx.diff, container.node):
        return line_of(container.node), container.name
    return None
