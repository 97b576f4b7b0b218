"""Loops of the JavaScript/TypeScript excessive-io detector: which loops are harmless (bounded,
retry, pagination, search loops) and which calls run once per item."""

from __future__ import annotations

import re

from tree_sitter import Node

from ...lang.js.flow import (
    call_name,
    unwrap,
)
from ...lang.js.syntax import call_args, text, walk_scope
from ...parsing import SourceFile, walk
from .words import words_pattern

_BATCHED_ITERABLE = words_pattern("js_batch_names")


_RETRY = words_pattern("js_retry_names")


_PAGINATION = words_pattern("js_pagination_names")


_SLEEP = words_pattern("js_wait_names")


def _harmless_loop(src: SourceFile, loop: Node, iterable: Node | None) -> bool:
    """Loops whose length is a small constant or whose items are batches, and retry/worker loops."""
    if iterable is not None:
        inner = unwrap(iterable)
        if (inner is not None and inner.type in ("array", "string")) or _BATCHED_ITERABLE.search(text(src, iterable)):
            return True
        if inner is not None and inner.type == "call_expression" and _BATCHED_ITERABLE.search(call_name(src, inner)):
            return True
    if loop.type == "for_statement":
        header = " ".join(text(src, loop.child_by_field_name(f)) for f in ("initializer", "condition", "increment"))
        if _RETRY.search(header) or re.search(r"<=?\s*[0-9]\b", header):
            return True
        condition = loop.child_by_field_name("condition")
        if condition is None or text(src, condition).strip(" ;") in ("", "true"):
            return True
    if loop.type in ("while_statement", "do_statement"):
        cond = text(src, loop.child_by_field_name("condition")).strip("() ")
        if cond in ("true", "1", "!stopped", "running") or _RETRY.search(cond):
            return True
        body = loop.child_by_field_name("body")
        if body is not None and _waits(src, body):
            return True
    return False


def _waits(src: SourceFile, body: Node) -> bool:
    """The loop body calls a function that waits (`sleep`, `setTimeout`, ...): a polling or worker
    loop. Only the names of called functions count, not any text of the body (`await` is not a wait)."""
    return any(node.type == "call_expression" and _SLEEP.search(call_name(src, node).rsplit(".", 1)[-1])
               for node in walk(body))


def _paginates(src: SourceFile, loop: Node) -> bool:
    """A loop that requests the next page/cursor on every iteration (one request per page is inherent)."""
    body = loop.child_by_field_name("body")
    if body is None:
        return False
    condition = text(src, loop.child_by_field_name("condition"))
    if loop.type in ("while_statement", "do_statement", "for_statement") and _PAGINATION.search(condition):
        return True
    for node in walk_scope(body):
        if node.type in ("assignment_expression", "augmented_assignment_expression"):
            left = text(src, node.child_by_field_name("left"))
            if _PAGINATION.search(left.rsplit(".", 1)[-1]):
                return True
    return False


def _searches(src: SourceFile, loop: Node) -> bool:
    """A loop that stops at the first match (`break`, or `return host`): it usually makes one or two
    calls, not one per item."""
    body = loop.child_by_field_name("body")
    for node in walk_scope(body) if body is not None else ():
        if node.type == "break_statement":
            return True
        if node.type == "return_statement":
            value = unwrap(node.named_children[0]) if node.named_children else None
            if value is not None and value.type in ("identifier", "member_expression") \
                    and text(src, value) not in ("undefined", "null"):
                return True
    return False


def _runs_once(call: Node, loop: Node) -> bool:
    """The call is followed by an unconditional `return`/`break` in its block, or is returned."""
    cur = call.parent
    while cur is not None and cur != loop:
        if cur.type == "return_statement":
            return True
        parent = cur.parent
        if parent is not None and parent.type == "statement_block":
            sibling = cur.next_named_sibling
            while sibling is not None:
                if sibling.type in ("return_statement", "break_statement"):
                    return True
                sibling = sibling.next_named_sibling
            if parent.parent is not None and parent.parent.type in ("if_statement", "else_clause", "catch_clause"):
                return False
        cur = parent
    return False


def _varies(src: SourceFile, call: Node, loop: Node) -> bool:
    """The call's arguments use a name bound or assigned by the loop."""
    args = call.child_by_field_name("arguments")
    return args is not None and _varies_node(src, args, loop)


def _loop_bound(src: SourceFile, loop: Node) -> set[str]:
    """Names bound by a loop header, a callback's parameters or declarations in the loop body."""
    bound: set[str] = set()
    left = loop.child_by_field_name("left") or loop.child_by_field_name("initializer")
    for node in walk(left) if left is not None else ():
        if node.type in ("identifier", "shorthand_property_identifier_pattern"):
            bound.add(text(src, node))
    if loop.type == "call_expression":
        for arg in call_args(loop):
            params = arg.child_by_field_name("parameters") or arg.child_by_field_name("parameter")
            for node in walk(params) if params is not None else ():
                if node.type in ("identifier", "shorthand_property_identifier_pattern"):
                    bound.add(text(src, node))
    body = loop.child_by_field_name("body") or loop
    for node in walk(body):
        if node.type == "variable_declarator":
            for ident in walk(node.child_by_field_name("name") or node):
                if ident.type in ("identifier", "shorthand_property_identifier_pattern"):
                    bound.add(text(src, ident))
    return bound


def _varies_node(src: SourceFile, node: Node, loop: Node) -> bool:
    bound = _loop_bound(src, loop)
    return any(n.type == "identifier" and text(src, n) in bound for n in walk(node))


def _runs_item_statement(src: SourceFile, call: Node, loop: Node) -> bool:
    """`for (const m of migrations) await db.query(m.sql)`: each iteration runs a different statement, not
    the same query with other parameters."""
    args = call_args(call)
    first = unwrap(args[0]) if args else None
    if first is None or first.type in ("string", "template_string"):
        return False
    return _varies_node(src, first, loop)
