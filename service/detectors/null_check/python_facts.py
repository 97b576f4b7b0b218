"""What one module of the repository declares may be None, for the Python null-check detector.

`ModuleInfo` and `ClassInfo` hold a module's facts: which functions and methods are annotated to
return an Optional, which class fields are declared nullable (Optional annotations, `= None`
defaults, `nullable=True` columns, relationships over a nullable foreign key), which payload keys
it documents as possibly null. `_read_module` reads them from one parsed file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tree_sitter import Node

from ...lang.python.memo import nodes_of
from ...parsing import SourceFile
from ...ruledata import DataLists
from .python_syntax import _named, _walk, class_name_of, is_optional_type, text, unwrap

if TYPE_CHECKING:
    from .python_index import RepoIndex


@dataclass
class ClassInfo:
    name: str
    nullable_fields: dict[str, str] = field(default_factory=dict)  # field -> why
    field_types: dict[str, str] = field(default_factory=dict)  # field -> class name
    optional_methods: set[str] = field(default_factory=set)
    methods: set[str] = field(default_factory=set)
    returns: dict[str, str] = field(default_factory=dict)  # method -> class name
    bases: list[str] = field(default_factory=list)


@dataclass
class ModuleInfo:
    path: str
    optional_funcs: set[str] = field(default_factory=set)
    funcs: set[str] = field(default_factory=set)
    returns: dict[str, str] = field(default_factory=dict)  # function -> class name
    classes: dict[str, ClassInfo] = field(default_factory=dict)
    imports: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # local -> (module, name)
    null_keys: set[str] = field(default_factory=set)  # payload keys documented as nullable
    regex_names: set[str] = field(default_factory=set)  # names bound to re.compile(...)
    module_aliases: set[str] = field(default_factory=set)  # names bound by `import x [as y]`


_NULL_DOC = re.compile(
    r"[`'\"](\w+)[`'\"]\s*(?:is|may be|can be|will be|might be|could be)\s+(?:null|None|nil)\b"
    r"|[\"'](\w+)[\"']\s*:\s*null\b"
)


def _read_module(index: RepoIndex, path: str, src: SourceFile) -> ModuleInfo:
    info = ModuleInfo(path=path)
    root = src.root
    assert root is not None
    for node in nodes_of(src, "import_statement", "import_from_statement"):
        _read_import(index, path, src, node, info)
    for stmt in _named(root):
        node = _undecorate(stmt)
        if node.type == "function_definition":
            _read_function(src, node, info.funcs, info.optional_funcs, info.returns)
        elif node.type == "class_definition":
            cls = _read_class(src, node, index.lists)
            info.classes[cls.name] = cls
        elif node.type == "expression_statement":
            _read_module_assignment(src, stmt, info)
    for m in _NULL_DOC.finditer(src.text):
        if m.group(1):
            info.null_keys.add(m.group(1))
        elif m.group(2) and _is_doc_line(src.text, m.start()):
            info.null_keys.add(m.group(2))
    return info


def _is_doc_line(whole: str, pos: int) -> bool:
    """Is the `"key": null` example inside a docstring or comment (not code)?"""
    line_start = whole.rfind("\n", 0, pos) + 1
    line = whole[line_start:pos]
    return "#" in line or whole.count('"""', 0, pos) % 2 == 1 or whole.count("'''", 0, pos) % 2 == 1


def _undecorate(node: Node) -> Node:
    if node.type == "decorated_definition":
        inner = node.child_by_field_name("definition")
        return inner if inner is not None else node
    return node


def _read_import(index: RepoIndex, path: str, src: SourceFile, node: Node, info: ModuleInfo) -> None:
    if node.type == "import_statement":
        for item in node.named_children:
            if item.type == "aliased_import":
                dotted = text(src, item.child_by_field_name("name"))
                local = text(src, item.child_by_field_name("alias"))
            elif item.type == "dotted_name":
                dotted = local = text(src, item)
            else:
                continue
            info.module_aliases.add(local.split(".")[0])
            target = index.resolve_module(path, dotted)
            if target:
                info.imports[local] = (target, None)
        return
    module_node = node.child_by_field_name("module_name")
    dotted = text(src, module_node)
    for item in node.children_by_field_name("name"):
        if item.type == "aliased_import":
            real = text(src, item.child_by_field_name("name"))
            local = text(src, item.child_by_field_name("alias"))
        else:
            real = local = text(src, item)
        sub = index.resolve_module(path, f"{dotted}.{real}" if not dotted.endswith(".") else dotted + real)
        if sub is not None:
            info.imports[local] = (sub, None)
            continue
        target = index.resolve_module(path, dotted)
        if target:
            info.imports[local] = (target, real)


def _return_annotation(src: SourceFile, fn: Node) -> str:
    return text(src, fn.child_by_field_name("return_type"))


def _read_function(src: SourceFile, fn: Node, funcs: set[str], optional: set[str],
                   returns: dict[str, str]) -> None:
    """Record a definition; with overloads or redefinitions, Optional only if every one is."""
    name = text(src, fn.child_by_field_name("name"))
    first = name not in funcs
    funcs.add(name)
    ann = _return_annotation(src, fn)
    if (ann and is_optional_type(ann)) or (not ann and _returns_none_or_value(fn)):
        if first:
            optional.add(name)
        return
    optional.discard(name)
    if ann:
        cls = class_name_of(ann)
        if cls:
            returns[name] = cls


def _returns_none_or_value(fn: Node) -> bool:
    """An unannotated function with both `return None` and `return <value>`."""
    body = fn.child_by_field_name("body")
    if body is None:
        return False
    explicit_none = value = False
    stack = list(body.children)
    while stack:
        node = stack.pop()
        if node.type in ("function_definition", "class_definition", "lambda"):
            continue
        if node.type == "return_statement":
            returned = [c for c in node.named_children if c.type != "comment"]
            if returned and returned[0].type == "none":
                explicit_none = True
            elif returned:
                value = True
        elif node.type == "yield":
            return False
        stack.extend(node.children)
    return explicit_none and value


def _read_class(src: SourceFile, node: Node, lists: DataLists) -> ClassInfo:
    cls = ClassInfo(name=text(src, node.child_by_field_name("name")))
    supers = node.child_by_field_name("superclasses")
    if supers is not None:
        for base in supers.named_children:
            if base.type in ("identifier", "attribute"):
                cls.bases.append(text(src, base).rsplit(".", 1)[-1])
    body = node.child_by_field_name("body")
    if body is None:
        return cls
    columns: dict[str, Node] = {}
    relationships: dict[str, Node] = {}
    # In a plain class (no bases, no decorator) `mgr: Manager = None` declares an attribute that is
    # assigned later (a boot-time singleton): its type says it is a Manager. In a dataclass or a
    # model the same line is a constructor default that really can stay None.
    plain = not cls.bases and (node.parent is None or node.parent.type != "decorated_definition")
    for stmt in _named(body):
        inner = _undecorate(stmt)
        if inner.type == "function_definition":
            _read_function(src, inner, cls.methods, cls.optional_methods, cls.returns)
            if text(src, inner.child_by_field_name("name")) == "__init__":
                _read_init_fields(src, inner, cls)
        elif stmt.type == "expression_statement" and stmt.named_children:
            assign = stmt.named_children[0]
            if assign.type == "assignment":
                _read_field(src, assign, cls, (columns, relationships), lists, plain)
    _read_relationships(src, cls, columns, relationships)
    return cls


def _call_name(src: SourceFile, node: Node | None) -> str:
    node = unwrap(node)
    if node is None or node.type != "call":
        return ""
    return text(src, node.child_by_field_name("function")).rsplit(".", 1)[-1]


def _keyword(src: SourceFile, call: Node, name: str) -> str | None:
    args = call.child_by_field_name("arguments")
    for arg in args.named_children if args is not None else []:
        if arg.type == "keyword_argument" and text(src, arg.child_by_field_name("name")) == name:
            return text(src, arg.child_by_field_name("value"))
    return None


def _read_field(src: SourceFile, assign: Node, cls: ClassInfo,
                calls: tuple[dict[str, Node], dict[str, Node]], lists: DataLists, plain: bool = False) -> None:
    """Whether the field `assign` declares may be None; column and relationship calls go to `calls`."""
    columns, relationships = calls
    left = assign.child_by_field_name("left")
    if left is None or left.type != "identifier":
        return
    name = text(src, left)
    if name.startswith("__"):
        return  # framework internals (`__pydantic_extra__`), not model fields
    ann = text(src, assign.child_by_field_name("type"))
    right = unwrap(assign.child_by_field_name("right"))
    if ann and is_optional_type(ann):
        cls.nullable_fields[name] = f"`{cls.name}.{name}` is declared Optional"
        return
    if right is not None and right.type == "none" and ann and not plain:
        cls.nullable_fields[name] = f"`{cls.name}.{name}` defaults to None"
        return
    called = _call_name(src, right)
    if right is not None and called in lists.get("python_column_calls"):
        columns[name] = right
        if _keyword(src, right, "nullable") == "True":
            cls.nullable_fields[name] = f"`{cls.name}.{name}` is a nullable column"
            return
    elif right is not None and called in lists.get("python_relationship_calls"):
        relationships[name] = right
        return
    elif right is not None and called.endswith(("Field", "ForeignKey")) \
            and _keyword(src, right, "null") == "True":
        cls.nullable_fields[name] = f"`{cls.name}.{name}` is declared with null=True"
        return
    kind = class_name_of(ann) if ann else None
    if kind:
        cls.field_types[name] = kind
    else:
        cls.field_types.setdefault(name, "")


def _read_relationships(src: SourceFile, cls: ClassInfo, columns: dict[str, Node],
                        relationships: dict[str, Node]) -> None:
    """A many-to-one relationship over a nullable foreign key may be None."""
    for name, call in relationships.items():
        uselist = _keyword(src, call, "uselist")
        if uselist == "True":
            continue
        fk_names = [f"{name}_id"]
        fks = _keyword(src, call, "foreign_keys")
        if fks:
            fk_names += re.findall(r"\b(\w+)\b", fks.split(".")[-1])
        fk = next((columns[n] for n in fk_names if n in columns), None)
        if fk is not None and _keyword(src, fk, "nullable") == "True":
            cls.nullable_fields[name] = (
                f"`{cls.name}.{name}` is a relationship over the nullable column `{name}_id`"
            )
        elif fk is None and uselist == "False" and not _keyword(src, call, "back_populates"):
            cls.nullable_fields[name] = f"`{cls.name}.{name}` is a one-to-one relationship"
        args = call.child_by_field_name("arguments")
        first = args.named_children[0] if args is not None and args.named_children else None
        target = text(src, first).strip("'\"") if first is not None else ""
        cls.field_types[name] = target if re.fullmatch(r"[A-Z]\w*", target) else ""


def _read_init_fields(src: SourceFile, init: Node, cls: ClassInfo) -> None:
    """`self.x: Optional[T] = ...` and `self.repo = repo` (with `repo: Repo`) in `__init__`."""
    body = init.child_by_field_name("body")
    if body is None:
        return
    params = _param_types(src, init)
    for node in _walk(body):
        if node.type != "assignment":
            continue
        left = node.child_by_field_name("left")
        if left is None or left.type != "attribute" or text(src, left.child_by_field_name("object")) != "self":
            continue
        name = text(src, left.child_by_field_name("attribute"))
        ann = text(src, node.child_by_field_name("type")) or params.get(
            text(src, node.child_by_field_name("right")), "")
        if not ann:
            continue
        if is_optional_type(ann) and node.child_by_field_name("type") is not None:
            cls.nullable_fields[name] = f"`{cls.name}.{name}` is declared Optional"
        else:
            cls.field_types[name] = class_name_of(ann) or ""


def _param_types(src: SourceFile, fn: Node) -> dict[str, str]:
    out: dict[str, str] = {}
    params = fn.child_by_field_name("parameters")
    for param in params.named_children if params is not None else []:
        ann = param.child_by_field_name("type")
        name = param.child_by_field_name("name")
        if ann is not None and name is not None:
            out[text(src, name)] = text(src, ann)
    return out


def _read_module_assignment(src: SourceFile, stmt: Node, info: ModuleInfo) -> None:
    assign = stmt.named_children[0] if stmt.named_children else None
    if assign is None or assign.type != "assignment":
        return
    left = assign.child_by_field_name("left")
    right = unwrap(assign.child_by_field_name("right"))
    if left is None or left.type != "identifier" or right is None or right.type != "call":
        return
    if text(src, right.child_by_field_name("function")) in ("re.compile", "regex.compile", "compile"):
        info.regex_names.add(text(src, left))
