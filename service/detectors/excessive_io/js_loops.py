"""Loops of the JavaScript/TypeScript excessive-io detector: which loops are harmless by structure
(bounded, waiting, pagination, search loops), which only a name calls harmless (kept as a hint), and
which calls run once per item."""

from __future__ import annotations

import re

from tree_sitter import Node

from ...lang.js.flow import (
    call_name,
    unwrap,
)
from ...lang.js.syntax import call_args, last_name, text, walk_scope
from ...parsing import SourceFile, walk
from .words import NO_EXCUSE, STRUCTURE, Excuse, data_list, name_hint, words_pattern

_BATCHED_ITERABLE = words_pattern("js_batch_names")
_RETRY = words_pattern("js_retry_names")
_PAGINATION = words_pattern("js_pagination_names")
_SLEEP = words_pattern("js_wait_names")
_WAIT_CALLS = data_list("js_wait_calls")
_WORKER = words_pattern("js_worker_conditions")


_ASSIGNMENTS = ("assignment_expression", "augmented_assignment_expression", "update_expression")


def loop_excuse(src: SourceFile, loop: Node, iterable: Node | None, call: Node) -> Excuse:
    """Whether the loop's per-item I/O is inherent from its structure (a constant array, a small constant
    bound, an endless worker loop, a wait, a page cursor the call reads and the body advances), or, as a
    hint only, from a name (`for (const batch of chunk(ids))`, `while (retries-- > 0)`)."""
    inner = unwrap(iterable)
    if inner is not None and inner.type in ("array", "string"):
        return STRUCTURE
    if loop.type == "for_statement":
        header = " ".join(text(src, loop.child_by_field_name(f)) for f in ("initializer", "condition", "increment"))
        condition = loop.child_by_field_name("condition")
        if re.search(r"<=?\s*[0-9]\b", header) or condition is None or text(src, condition).strip(" ;") in ("", "true"):
            return STRUCTURE
    cond = text(src, loop.child_by_field_name("condition")).strip("() ")
    if loop.type in ("while_statement", "do_statement") and cond in ("true", "1"):
        return STRUCTURE
    body = loop.child_by_field_name("body")
    if loop.type in ("while_statement", "do_statement", "for_statement") and body is not None \
            and (_waits(src, body) or _advances(src, call, loop)):
        return STRUCTURE
    return _hint(src, loop, iterable, body)


def _hint(src: SourceFile, loop: Node, iterable: Node | None, body: Node | None) -> Excuse:
    inner = unwrap(iterable)
    if iterable is not None and (found := _BATCHED_ITERABLE.search(text(src, iterable))):
        return name_hint(_word_at(text(src, iterable), found.start()), "batches or pages")
    producer = call_name(src, inner) if inner is not None and inner.type == "call_expression" else ""
    if found := _BATCHED_ITERABLE.search(producer):
        return name_hint(_word_at(producer, found.start()), "batches or pages")
    if loop.type in ("for_statement", "while_statement", "do_statement"):
        fields = ("initializer", "condition", "increment") if loop.type == "for_statement" else ("condition",)
        header = " ".join(text(src, loop.child_by_field_name(f)) for f in fields)
        if found := _RETRY.search(header):
            return name_hint(_word_at(header, found.start()), "a retry loop")
        if found := _PAGINATION.search(header):
            return name_hint(_word_at(header, found.start()), "a pagination loop")
    for node in walk_scope(body) if body is not None else ():
        if node.type in _ASSIGNMENTS:
            left = text(src, node.child_by_field_name("left") or node.child_by_field_name("argument"))
            last = left.rsplit(".", 1)[-1]
            if _PAGINATION.search(last):
                return name_hint(last, "a pagination loop")
        if node.type == "call_expression" and _SLEEP.search(last_name(call_name(src, node))):
            return name_hint(call_name(src, node), "the loop waits")
    if loop.type in ("while_statement", "do_statement"):
        cond = text(src, loop.child_by_field_name("condition")).strip("() ")
        if _WORKER.fullmatch(cond):
            return name_hint(cond.lstrip("! "), "a worker loop that runs until stopped")
    return NO_EXCUSE


def _word_at(value: str, at: int) -> str:
    """The identifier of `value` around position `at`."""
    start = at
    while start > 0 and (value[start - 1].isalnum() or value[start - 1] in "_$"):
        start -= 1
    end = at
    while end < len(value) and (value[end].isalnum() or value[end] in "_$"):
        end += 1
    return value[start:end]


def _waits(src: SourceFile, body: Node) -> bool:
    """The loop body calls a timer or sleep API (`setTimeout`, `sleep`, `delay`): a polling or worker loop
    (`js_wait_calls`; `await` alone is not a wait)."""
    return any(node.type == "call_expression" and last_name(call_name(src, node)) in _WAIT_CALLS
               for node in walk(body))


def _advances(src: SourceFile, call: Node, loop: Node) -> bool:
    """A pagination loop: the call reads a variable declared outside the loop that the loop body advances
    (`cursor = page.nextCursor`, `offset += limit`, `page++`), so each iteration requests the next page.
    A variable the call uses as an index (`ids[i]`) walks a collection instead."""
    body = loop.child_by_field_name("body")
    if body is None:
        return False
    read = {text(src, n) for n in walk(call) if n.type == "identifier"}
    read -= {text(src, n.child_by_field_name("index")) for n in walk(call) if n.type == "subscript_expression"}
    declared = {text(src, n.child_by_field_name("name")) for n in walk(body) if n.type == "variable_declarator"}
    for node in walk_scope(body):
        if node.type not in _ASSIGNMENTS:
            continue
        left = unwrap(node.child_by_field_name("left") or node.child_by_field_name("argument"))
        while left is not None and left.type in ("member_expression", "subscript_expression"):
            left = unwrap(left.child_by_field_name("object"))
        if left is not None and left.type == "identifier" and text(src, left) in read - declared:
            return True
    return False


def batch_hint(src: SourceFile, receiver: Node) -> str:
    """The name in a fan-out's receiver that alone suggests it is a batch ('' when none)."""
    found = _BATCHED_ITERABLE.search(text(src, receiver))
    return name_hint(_word_at(text(src, receiver), found.start()), "batches").hint if found else ""


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
