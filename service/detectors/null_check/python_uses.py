"""Collecting the values of a scope that may be None and finding their first unguarded use, for
the Python null-check detector."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from tree_sitter import Node

from ...parsing import SourceFile
from .python_guards import _deref_kind, _guarded
from .python_scope import Hit, Scope, Source, _target_leaves
from .python_sources import _is_none, _nullable_field, nullable
from .python_syntax import is_optional_type, text


def _check_scope(scope: Scope, sources: Iterable[Source] | None = None) -> Iterator[Hit]:
    for source in _sources(scope) if sources is None else sources:
        found = _first_unguarded_use(scope, source)
        if found is not None:
            node, deref = found
            yield Hit(node, source, f"`{source.path}` may be None ({source.why}); check it before {deref}.")
    yield from _direct_derefs(scope)


def _sources(scope: Scope) -> Iterator[Source]:
    src = scope.src
    yield from _param_sources(scope)
    seen_fields: set[str] = set()
    null_keys = scope.index.null_keys(scope.file_path)
    for node in scope.nodes:
        if node.type == "assignment":
            left = node.child_by_field_name("left")
            if left is not None and left.type in ("identifier", "attribute"):
                why = nullable(scope, node.child_by_field_name("right"))
                if why is not None:
                    yield Source(text(src, left), node.end_byte, why[0], why[1], node)
        elif node.type == "named_expression":
            why = nullable(scope, node.child_by_field_name("value"))
            if why is not None:
                yield Source(text(src, node.child_by_field_name("name")), node.end_byte, why[0],
                             why[1], node)
        elif node.type == "attribute":
            field = _field_source(scope, node)
            if field is not None and field.path not in seen_fields:
                seen_fields.add(field.path)
                yield field
        elif node.type == "subscript" and null_keys:
            key_source = _payload_source(scope, node, null_keys)
            if key_source is not None and key_source.path not in seen_fields:
                seen_fields.add(key_source.path)
                yield key_source


def _param_sources(scope: Scope) -> Iterator[Source]:
    if scope.node.type != "function_definition" or \
            text(scope.src, scope.node.child_by_field_name("name")) in ("__exit__", "__aexit__"):
        return
    params = scope.node.child_by_field_name("parameters")
    src = scope.src
    for param in params.named_children if params is not None else []:
        if param.type not in ("typed_parameter", "typed_default_parameter", "default_parameter"):
            continue
        name_node = param.child_by_field_name("name")
        if name_node is None and param.named_children:
            name_node = param.named_children[0]
        name = text(src, name_node)
        ann = text(src, param.child_by_field_name("type"))
        default = param.child_by_field_name("value")
        if ann and is_optional_type(ann):
            yield Source(name, scope.body.start_byte, f"parameter `{name}` is declared `{ann}`",
                         origin=param)
        elif not ann and default is not None and _is_none(default):
            yield Source(name, scope.body.start_byte, f"parameter `{name}` defaults to None",
                         origin=param)


def _field_source(scope: Scope, node: Node) -> Source | None:
    if _deref_kind(scope, node) is None:
        return None
    why = _nullable_field(scope, node)
    if why is None:
        return None
    return Source(text(scope.src, node), scope.body.start_byte, why)


def _payload_source(scope: Scope, node: Node, null_keys: set[str]) -> Source | None:
    key = node.child_by_field_name("subscript")
    if key is None or key.type != "string":
        return None
    name = text(scope.src, key).strip("'\"")
    if name not in null_keys or _deref_kind(scope, node) is None:
        return None
    if any(f'get("{name}")' in text(scope.src, n) or f"get('{name}')" in text(scope.src, n)
           for n in scope.nodes if n.type == "call"):
        return None
    return Source(text(scope.src, node), scope.body.start_byte,
                  f"the `{name}` field is documented as possibly null", documented=True)


def _first_unguarded_use(scope: Scope, source: Source) -> tuple[Node, str] | None:
    assigned = scope.assigned.get(source.path, [])
    for node in scope.uses(source.path):
        if node.start_byte < source.start:
            continue
        if not _is_value_use(node) or _bound_by_comprehension(scope.src, node, source.path):
            continue
        owner = max((end for end in assigned if end <= node.start_byte), default=scope.body.start_byte)
        if owner != source.start:
            if owner > source.start:
                return None
            continue
        deref = _deref_kind(scope, node)
        if deref is None or (source.attr_only and not deref.startswith("`.")):
            continue
        if _guarded(scope, node, source):
            continue
        return node, deref
    return None


COMPREHENSIONS = ("list_comprehension", "generator_expression", "set_comprehension",
                  "dictionary_comprehension")


def _bound_by_comprehension(src: SourceFile, node: Node, path: str) -> bool:
    """`[cmd[0] for cmd in commands]`: this `cmd` is the comprehension's own variable."""
    cur = node.parent
    while cur is not None and cur.type not in ("function_definition", "module"):
        if cur.type in COMPREHENSIONS:
            for clause in cur.named_children:
                if clause.type == "for_in_clause" and any(
                        text(src, leaf) == path
                        for leaf in _target_leaves(clause.child_by_field_name("left"))):
                    return True
        if cur.type == "lambda":
            params = cur.child_by_field_name("parameters")
            if params is not None and any(text(src, p) == path for p in params.named_children):
                return True
        cur = cur.parent
    return False


def _is_value_use(node: Node) -> bool:
    if node.type not in ("identifier", "attribute", "subscript"):
        return False
    parent = node.parent
    if parent is None:
        return True
    if parent.type == "attribute" and parent.child_by_field_name("attribute") == node:
        return False
    if parent.type == "keyword_argument" and parent.child_by_field_name("name") == node:
        return False
    if parent.type in ("assignment", "augmented_assignment") and parent.child_by_field_name("left") == node:
        return parent.type == "augmented_assignment"
    return parent.type not in ("parameters", "default_parameter", "typed_parameter",
                               "typed_default_parameter", "named_expression", "global_statement",
                               "nonlocal_statement", "dotted_name", "aliased_import")


def _direct_derefs(scope: Scope) -> Iterator[Hit]:
    for node in scope.nodes:
        if node.type != "call":
            continue
        parent = node.parent
        if parent is not None and parent.type in ("assignment", "named_expression"):
            continue
        deref = _deref_kind(scope, node)
        if deref is None:
            continue
        why = nullable(scope, node)
        if why is None or (why[1] and not deref.startswith("`.")):
            continue
        # a repeated pure lookup (`if d.get(k) is None: return` ... `d.get(k).x`) counts as checked
        source = Source(text(scope.src, node), scope.body.start_byte, why[0], why[1])
        if _guarded(scope, node, source):
            continue
        yield Hit(node, source, f"{why[0][0].upper()}{why[0][1:]}; check the result before {deref}.")
