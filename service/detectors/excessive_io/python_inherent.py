"""Python loops whose per-iteration I/O is inherent, decided from structure: a bounded constant list,
a retry loop (it leaves on success and goes round again on failure), a polling loop that sleeps,
a loop over slices (`range(0, n, size)`, a generator yielding slices, a library batcher), a
concurrent fan-out, a `while` loop that does not work through a collection.

Names alone (a loop variable `attempt`, a call `chunked(...)` nothing else explains) never excuse a
loop: `loop_excuse` returns them as a hint the finding names at low confidence."""

from __future__ import annotations

import re

from tree_sitter import Node

from ...parsing import ancestor
from .python_loops import Loop, first_clause, used_names
from .python_names import walk_scope
from .python_resolver import Unit
from .python_sink_list import text
from .words import NO_EXCUSE as NONE
from .words import STRUCTURE, Excuse, data_list, name_hint, words_pattern

_RETRY_NAME = words_pattern("python_retry_names")
_BATCH_TARGET = words_pattern("python_batch_targets")
_BATCH_SOURCE = words_pattern("python_batch_sources")
_WAIT_NAME = words_pattern("python_wait_names")
_WAIT_CALLS = data_list("python_wait_calls")
_BATCHERS = data_list("python_batch_functions")
_FAN_OUT = re.compile(r"(^|\.)(" + words_pattern("python_fan_out_calls").pattern + ")$")  # case-sensitive
_POP_CALL = re.compile(r"\.(" + words_pattern("python_pop_methods").pattern + ")$")
_COUNTERS = ("range", "itertools.count", "count")
_BOUND = 20


def loop_excuse(unit: Unit, loop: Loop) -> Excuse:
    """Whether the loop's per-iteration I/O is inherent (see the module doc)."""
    src, node = unit.src, loop.node
    if loop.kind == "for":
        source = node.child_by_field_name("right")
        counter = source is not None and source.type == "call" and _callee(unit, source) in _COUNTERS
        if bounded(unit, source) or _sliced(unit, source) or (counter and (_retries(unit, node) or _waits(unit, node))):
            return STRUCTURE
        return _hint(unit, node.child_by_field_name("left"), source, node if counter else None)
    if loop.kind == "comprehension":
        clause = first_clause(node)
        if clause is None:
            return NONE
        source = clause.child_by_field_name("right")
        if bounded(unit, source) or _sliced(unit, source) or _fan_out(unit, node):
            return STRUCTURE
        return _hint(unit, clause.child_by_field_name("left"), source, None)
    if loop.kind == "while":
        # A `while` loop is a retry, poll, consumer or pagination loop unless it works through a
        # collection (`while queue: item = queue.pop()`).
        if not _pops(unit, node) or _waits(unit, node):
            return STRUCTURE
        cond = text(src, node.child_by_field_name("condition"))
        word = _RETRY_NAME.search(cond)
        if word:
            return Excuse(False, f"the condition `{_short(cond)}` suggests a retry loop")
        waiter = _waiter_by_name(unit, node)
        return name_hint(waiter, "the loop waits") if waiter else NONE
    return NONE


def _hint(unit: Unit, target: Node | None, source: Node | None, counter_loop: Node | None) -> Excuse:
    src = unit.src
    for name in sorted(used_names(target, src)) if target is not None else ():
        if _RETRY_NAME.search(name):
            return name_hint(name, "a retry loop")
        if _BATCH_TARGET.match(name):
            return name_hint(name, "batches or pages")
    if source is not None and source.type == "call" and _callee(unit, source) == "range":
        args = source.child_by_field_name("arguments")
        items = args.named_children if args is not None else []
        if len(items) == 1 and _RETRY_NAME.search(text(src, items[0])):
            return name_hint(text(src, items[0]), "a retry loop")
    named = _batch_source_name(unit, source)
    if named:
        return name_hint(named, "batches or pages")
    waiter = _waiter_by_name(unit, counter_loop) if counter_loop is not None else ""
    return name_hint(waiter, "the loop waits") if waiter else NONE


def bounded(unit: Unit, node: Node | None, constants: dict[str, Node] | None = None) -> bool:
    """A literal list/tuple/set of constants, a small range(), or a module constant holding one."""
    src = unit.src
    constants = unit.constants if constants is None else constants
    if node is None:
        return False
    if node.type in ("list", "tuple", "set", "dictionary"):
        return len(node.named_children) <= _BOUND and all(
            c.type in ("string", "integer", "float", "true", "false", "none", "tuple", "pair",
                       "concatenated_string", "attribute", "identifier")
            for c in node.named_children)
    if node.type == "identifier":
        value = constants.get(text(src, node))
        return value is not None and value.type != "identifier" and bounded(unit, value, {})
    if node.type == "call":
        fn = text(src, node.child_by_field_name("function"))
        args = node.child_by_field_name("arguments")
        items = args.named_children if args is not None else []
        if fn == "range" and len(items) == 1:
            arg = items[0]
            if arg.type == "integer":
                return int(text(src, arg).replace("_", ""), 0) <= _BOUND
            return arg.type == "identifier" and text(src, arg).isupper()
        if fn in ("enumerate", "sorted", "reversed", "zip") and items:
            return all(bounded(unit, a, constants) for a in items if a.type != "keyword_argument")
    return False


def _retries(unit: Unit, loop: Node) -> bool:
    """A retry loop: the body leaves the loop on success (a `break`/`return` outside any `except`)
    and goes round again on failure (an `except` that neither leaves the loop nor raises)."""
    body = loop.child_by_field_name("body")
    if body is None:
        return False
    leaves = again = False
    for sub in walk_scope(body):
        if sub.type in ("break_statement", "return_statement") and _owner_loop(sub) == loop \
                and ancestor(sub, ("except_clause",), loop) is None:
            leaves = True
        if sub.type == "except_clause" and _owner_loop(sub) == loop:
            block = next((c for c in sub.named_children if c.type == "block"), None)
            last = block.named_children[-1] if block is not None and block.named_children else None
            if last is None or last.type not in ("break_statement", "return_statement", "raise_statement"):
                again = True
    return leaves and again


def _owner_loop(node: Node) -> Node | None:
    cur = node.parent
    while cur is not None and cur.type not in ("for_statement", "while_statement", "function_definition"):
        cur = cur.parent
    return cur


def _callee(unit: Unit, call: Node) -> str:
    fn = call.child_by_field_name("function")
    return unit.names.dotted(fn) or text(unit.src, fn)


def _calls(unit: Unit, loop: Node) -> list[Node]:
    body = loop.child_by_field_name("body")
    return [s for s in walk_scope(body) if s.type == "call"] if body is not None else []


def _waits(unit: Unit, loop: Node) -> bool:
    """The body calls a library wait (`time.sleep`, `asyncio.sleep`, `event.wait`, ...)."""
    for call in _calls(unit, loop):
        name = _callee(unit, call)
        if name in _WAIT_CALLS or name.rsplit(".", 1)[-1] in _WAIT_CALLS:
            return True
    return False


def _waiter_by_name(unit: Unit, loop: Node) -> str:
    """A called function whose name only suggests waiting (`backoff()`, `retry_later()`)."""
    for call in _calls(unit, loop):
        name = text(unit.src, call.child_by_field_name("function"))
        if _WAIT_NAME.search(name):
            return name
    return ""


def _pops(unit: Unit, loop: Node) -> bool:
    return any(_POP_CALL.search(text(unit.src, c.child_by_field_name("function"))) for c in _calls(unit, loop))


def _sliced(unit: Unit, source: Node | None) -> bool:
    """`range(0, len(ids), 100)`, a library batcher (`itertools.batched`), or a function of this file
    that yields (or returns) slices (`yield items[i:i + size]`), possibly wrapped in enumerate/list."""
    while source is not None and source.type == "call":
        name = _callee(unit, source)
        args = source.child_by_field_name("arguments")
        items = args.named_children if args is not None else []
        if (name == "range" and len(items) == 3) or name in _BATCHERS or _slicing_function(unit, name):
            return True
        if name not in ("enumerate", "iter", "list") or not items:
            return False
        source = items[0]
    return False


def _slicing_function(unit: Unit, name: str) -> bool:
    func = unit.functions.get(name)
    body = func.child_by_field_name("body") if func is not None else None
    if body is None:
        return False
    for sub in walk_scope(body):
        if sub.type in ("yield", "return_statement") and sub.named_children:
            value = sub.named_children[0]
            if value.type == "subscript" and any(c.type == "slice" for c in value.named_children):
                return True
    return False


def _batch_source_name(unit: Unit, source: Node | None) -> str:
    """The function or attribute a loop iterates over whose name alone suggests batches."""
    while source is not None and source.type == "call":
        fn = source.child_by_field_name("function")
        name = text(unit.src, fn).rsplit(".", 1)[-1] if fn is not None else ""
        if _BATCH_SOURCE.search(name):
            return name
        args = source.child_by_field_name("arguments")
        if name not in ("enumerate", "iter", "list") or args is None or not args.named_children:
            return ""
        source = args.named_children[0]
    if source is not None and source.type == "attribute":
        attr = text(unit.src, source.child_by_field_name("attribute"))
        return attr if _BATCH_SOURCE.search(attr) else ""
    return ""


def _fan_out(unit: Unit, comp: Node) -> bool:
    """`asyncio.gather(*(fetch(u) for u in urls))`: concurrent by design."""
    node = comp.parent
    while node is not None and node.type in ("list_splat", "argument_list", "parenthesized_expression"):
        node = node.parent
    if node is None or node.type != "call":
        return False
    return bool(_FAN_OUT.search(text(unit.src, node.child_by_field_name("function"))))


def _short(value: str) -> str:
    value = " ".join(value.split())
    return value if len(value) <= 50 else value[:47] + "..."

