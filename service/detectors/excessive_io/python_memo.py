"""Whether a repository function memoises its result, for the Python excessive-io resolver: a
memoising decorator (`rules/data/excessive-io.yml`, `python_memoizers`), a lookup table it fills
and reads (`if key in self._rows: return self._rows[key]` ... `self._rows[key] = row`), or a lazy
global/attribute (`if _CONFIG is None: _CONFIG = load()`). Its I/O then runs once, not per call."""

from __future__ import annotations

from tree_sitter import Node

from ...parsing import SourceFile
from .python_names import FileNames, walk_scope
from .python_sink_list import text


def memoised(src: SourceFile, names: FileNames, fn: Node, memoizers: frozenset[str]) -> bool:
    parent = fn.parent
    if parent is not None and parent.type == "decorated_definition":
        for deco in parent.named_children:
            if deco.type != "decorator" or not deco.named_children:
                continue
            target = deco.named_children[0]
            if target.type == "call":
                target = target.child_by_field_name("function") or target
            dotted = names.dotted(target) or text(src, target)
            if dotted in memoizers or any(m.endswith(".*") and dotted.startswith(m[:-1]) for m in memoizers):
                return True
    body = fn.child_by_field_name("body")
    params = fn.child_by_field_name("parameters")
    own = {text(src, n) for n in walk_scope(params) if n.type == "identifier"} if params is not None else set()
    return body is not None and (_fills_table(src, body, own) or _lazy_global(src, body, own))


def _shared_name(src: SourceFile, node: Node | None, local: set[str]) -> str:
    """`self._rows` / `_ROWS` (state that outlives the call), or "" for a local or anything else."""
    if node is None:
        return ""
    name = text(src, node)
    if node.type == "attribute" and name.startswith(("self.", "cls.")):
        return name
    if node.type == "identifier" and name not in local:
        return name
    return ""


def _locals(src: SourceFile, body: Node) -> set[str]:
    found = set()
    for node in walk_scope(body):
        if node.type == "assignment":
            left = node.child_by_field_name("left")
            if left is not None and left.type == "identifier":
                found.add(text(src, left))
        elif node.type == "global_statement":
            return found - {text(src, n) for n in node.named_children}
    return found


def _fills_table(src: SourceFile, body: Node, params: set[str]) -> bool:
    """`X[key] = value` and a read of the same shared `X` (`key in X`, `X.get(key)`, `X[key]`), `X`
    neither a parameter nor a local."""
    local = _locals(src, body) | params
    written: set[str] = set()
    read: set[str] = set()
    for node in walk_scope(body):
        if node.type == "assignment":
            left = node.child_by_field_name("left")
            if left is not None and left.type == "subscript":
                name = _shared_name(src, left.child_by_field_name("value"), local)
                if name:
                    written.add(name)
        elif node.type == "comparison_operator" and any(c.type in ("in", "not in") for c in node.children):
            read.add(_shared_name(src, node.named_children[-1], local))
        elif node.type == "call":
            fn = node.child_by_field_name("function")
            if fn is not None and fn.type == "attribute" and text(src, fn.child_by_field_name("attribute")) in (
                    "get", "setdefault"):
                read.add(_shared_name(src, fn.child_by_field_name("object"), local))
    return bool(written & read)


def _lazy_global(src: SourceFile, body: Node, params: set[str]) -> bool:
    """`if X is None: X = ...` (or `if not X:`) with `X` a global or an attribute of self."""
    local = _locals(src, body) | params
    for node in walk_scope(body):
        if node.type != "if_statement":
            continue
        cond = node.child_by_field_name("condition")
        target = None
        if cond is not None and cond.type == "comparison_operator" and text(src, cond).endswith("is None"):
            target = cond.named_children[0]
        elif cond is not None and cond.type == "not_operator":
            target = cond.child_by_field_name("argument")
        name = _shared_name(src, target, local)
        consequence = node.child_by_field_name("consequence")
        if name and consequence is not None and any(
                n.type == "assignment" and text(src, n.child_by_field_name("left")) == name
                for n in walk_scope(consequence)):
            return True
    return False
