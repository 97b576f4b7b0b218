"""One scope (a function or a module's top level) of a changed file, for the Python null-check
detector: its nodes, its assignments, the classes its names hold, and the tracked values (`Source`)
and unguarded dereferences (`Hit`) found in it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from tree_sitter import Node

from ...lang.python.memo import nodes_of
from ...parsing import SourceFile, walk_pruned
from .python_facts import ClassInfo
from .python_index import RepoIndex
from .python_syntax import class_name_of, snake, text, unwrap

SCOPES = ("function_definition", "module")


NESTED = ("function_definition", "class_definition")


@dataclass(frozen=True)
class Source:
    """A tracked expression that may hold None from byte `start` on."""

    path: str
    start: int
    why: str
    attr_only: bool = False
    origin: Node | None = None  # the assignment or parameter that makes it nullable
    documented: bool = False  # None-ness known only from a docstring or comment example (low confidence)


@dataclass(frozen=True)
class Hit:
    """An unguarded dereference of a tracked value."""

    use: Node
    source: Source
    message: str


@dataclass
class Scope:
    """One function (or the module's top level) of the changed file."""

    src: SourceFile
    file_path: str
    index: RepoIndex
    node: Node
    body: Node
    cls: ClassInfo | None
    nodes: list[Node]
    types: dict[str, ClassInfo]
    assigned: dict[str, list[int]]
    _uses: dict[str, list[Node]] | None = None

    def uses(self, path: str) -> list[Node]:
        """The nodes spelling `path` (names, attributes, subscripts), in source order."""
        if self._uses is None:
            self._uses = {}
            for node in self.nodes:
                if node.type in ("identifier", "attribute", "subscript"):
                    self._uses.setdefault(text(self.src, node), []).append(node)
        return self._uses.get(path, [])


def _scope_definitions(src: SourceFile) -> list[tuple[Node, Node]]:
    """(node, body) of the module and of every function, in source order."""
    found = []
    for node in nodes_of(src, *SCOPES):
        body = node.child_by_field_name("body") if node.type == "function_definition" else node
        if body is not None:
            found.append((node, body))
    return found


def _scope(src: SourceFile, path: str, index: RepoIndex, node: Node, body: Node) -> Scope:
    cls = _enclosing_class(src, path, index, node)
    nodes = list(_scope_nodes(body))
    scope = Scope(src, path, index, node, body, cls, nodes, {}, _assignments(src, nodes))
    scope.types = _local_types(scope)
    return scope


def _scope_nodes(body: Node) -> Iterator[Node]:
    """Every node of a scope, in source order, without nested functions and classes."""
    nodes = walk_pruned(body, (*NESTED, "decorated_definition"))
    next(nodes)  # the body itself
    return nodes


def _enclosing_class(src: SourceFile, path: str, index: RepoIndex, node: Node) -> ClassInfo | None:
    cur = node.parent
    while cur is not None and cur.type not in ("class_definition", "function_definition"):
        cur = cur.parent
    if cur is None or cur.type != "class_definition":
        return None
    own = index.module(path)
    name = text(src, cur.child_by_field_name("name"))
    return own.classes.get(name) if own else None


def _assignments(src: SourceFile, nodes: list[Node]) -> dict[str, list[int]]:
    """Byte offsets where each assigned name/attribute gets a new value."""
    out: dict[str, list[int]] = {}
    for node in nodes:
        targets: list[Node] = []
        if node.type in ("assignment", "augmented_assignment"):
            left = node.child_by_field_name("left")
            targets = _target_leaves(left)
        elif node.type == "named_expression":
            targets = [n for n in [node.child_by_field_name("name")] if n is not None]
        elif node.type in ("for_statement", "for_in_clause"):
            targets = _target_leaves(node.child_by_field_name("left"))
        elif node.type == "as_pattern_target":
            targets = _target_leaves(node.named_children[0] if node.named_children else None)
        for target in targets:
            out.setdefault(text(src, target), []).append(node.end_byte if node.type != "for_statement"
                                                            else target.end_byte)
    return out


def _target_leaves(node: Node | None) -> list[Node]:
    if node is None:
        return []
    if node.type in ("pattern_list", "tuple_pattern", "list_pattern", "tuple", "list",
                     "parenthesized_expression"):
        return [leaf for child in node.named_children for leaf in _target_leaves(child)]
    return [node]


def _local_types(scope: Scope) -> dict[str, ClassInfo]:
    """What class a local name or parameter holds, where the code says so."""
    types: dict[str, ClassInfo] = {}
    src, index, path = scope.src, scope.index, scope.file_path
    params = scope.node.child_by_field_name("parameters") if scope.node.type == "function_definition" else None
    for param in params.named_children if params is not None else []:
        ann = text(src, param.child_by_field_name("type"))
        name = text(src, param.child_by_field_name("name") or param)
        kind = class_name_of(ann) if ann else None
        found = index.lookup_class(path, kind) if kind else None
        if found is not None:
            types[name] = found
    for node in scope.nodes:
        if node.type != "assignment":
            continue
        left = node.child_by_field_name("left")
        if left is None or left.type != "identifier":
            continue
        kind = _class_of_value(scope, node.child_by_field_name("right"))
        found = index.lookup_class(path, kind) if kind else None
        if found is not None:
            types.setdefault(text(src, left), found)
    return types


def _class_of_value(scope: Scope, value: Node | None) -> str | None:
    value = unwrap(value)
    if value is None or value.type != "call":
        return None
    fn = value.child_by_field_name("function")
    fn_text = text(scope.src, fn)
    if fn is not None and fn.type == "identifier":
        if fn_text[:1].isupper():
            return fn_text
        own = scope.index.module(scope.file_path)
        if own and fn_text in own.returns:
            return own.returns[fn_text]
        target = own.imports.get(fn_text) if own else None
        info = scope.index.module(target[0]) if target else None
        if info is not None and target is not None:
            return info.returns.get(target[1] or fn_text)
        return None
    root = re.match(r"([A-Z]\w*)\.(?:query|objects)\b", fn_text)
    return root.group(1) if root else None


def _type_of(scope: Scope, obj: Node) -> ClassInfo | None:
    obj_text = text(scope.src, obj)
    if obj_text == "self":
        return scope.cls
    if obj.type == "identifier":
        if obj_text in scope.types:
            return scope.types[obj_text]
        if obj_text[:1].isupper():
            return scope.index.lookup_class(scope.file_path, obj_text)
        for info in scope.index.related(scope.file_path):
            for cls in info.classes.values():
                if snake(cls.name) == obj_text:
                    return cls
        return None
    if obj.type == "attribute" and scope.cls is not None \
            and text(scope.src, obj.child_by_field_name("object")) == "self":
        name = text(scope.src, obj.child_by_field_name("attribute"))
        kind = scope.cls.field_types.get(name)
        return scope.index.lookup_class(scope.file_path, kind) if kind else None
    return None
