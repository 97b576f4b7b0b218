"""Excessive I/O in JavaScript and TypeScript: I/O awaited once per item of a loop, per-item
requests fanned out where a batch API exists, and blocking file reads in request handlers.

The I/O calls are data: `rules/data/js-io-sinks.yml` (database/ORM, HTTP, file, cloud); receivers
are known from the package their value comes from (`js_handles.py`), names only as a fallback the
finding names. Functions of the repository that do I/O themselves (`getPrice()` around `fetch`, a
repository method around `pool.query`) count as I/O calls too.

## What it does
`js.excessive-io.io-in-loop` flags a database/ORM query, HTTP request or cloud call awaited inside
a `for`/`for..of`/`while` loop or a `.forEach` callback (the N+1 pattern), and a file read whose
arguments do not change between iterations. It leaves alone loops whose structure makes the I/O
inherent (a constant array literal or bound, endless worker loops, loops calling a timer, pagination
loops whose call reads a variable the body advances, loops over a slicing splitter) and calls that
run once (followed by `return`/`break`). A loop only a name calls a retry, pagination or batch loop
is still reported, at low confidence, naming it.

`js.excessive-io.unbatched-fan-out` flags `Promise.all(items.map(item => query(item)))` when each
item costs a database query, or an HTTP call whose module also offers a batch variant
(`getPrices` next to `getPrice`).

`js.excessive-io.sync-read-in-handler` flags `fs.readFileSync` (and other blocking fs calls) in an
HTTP request handler.

`js.excessive-io.request-per-row` flags a React component rendered once per list item whose body
fetches data keyed by the item (`js_rows.py`).

## Why is this bad?
One query or request per item turns a page of 200 rows into 201 round trips: the endpoint or job
gets slower linearly with the data and hammers the database or the remote API; thousands of
concurrent requests trip rate limits. A blocking read in a handler stalls every request of the
process while the disk answers.

## Example
```ts
for (const region of regions) {
  const { rows } = await pool.query('SELECT count(*) FROM orders WHERE region_id = $1', [region.id]);
}
```

## Use instead
```ts
const { rows } = await pool.query(
  'SELECT region_id, count(*) FROM orders WHERE region_id = ANY($1) GROUP BY region_id', [ids]);
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar

from tree_sitter import Node

from ...detector import Detector, FileContext, Rule
from ...lang.js.flow import (
    LOOPS,
    call_name,
    is_inside,
    is_test_path,
    routes,
    unwrap,
)
from ...lang.js.syntax import FUNCTIONS, enclosing_function, last_name, text, walk_scope
from ...models import Finding, Severity
from ...parsing import SourceFile, line_of
from .js_handles import JsSink
from .js_loops import (
    _runs_item_statement,
    _runs_once,
    _searches,
    _varies,
    batch_hint,
    loop_excuse,
)
from .js_resolver import Resolver
from .js_rows import RowFetches
from .rules import FAN_OUT, REQUEST_PER_ROW, SYNC_READ
from .rules import JS_IO_IN_LOOP as IO_IN_LOOP
from .words import data_list, words_pattern

_ITERATORS = frozenset({"forEach"})
_CONCURRENT = frozenset({"map", "flatMap"})
_PROMISE_ALL = re.compile(r"^Promise\.(all|allSettled|any|race)$")
_SYNC_FS = data_list("js_sync_fs_calls")
_RAW_SQL = data_list("js_raw_sql_methods")
_READS = re.compile("^(" + words_pattern("js_read_methods").pattern + ")$", re.IGNORECASE)



class JsExcessiveIO(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (IO_IN_LOOP, FAN_OUT, SYNC_READ, REQUEST_PER_ROW)

    def check_file(self, ctx: FileContext) -> Iterator[Finding]:
        src = ctx.head
        if src is None or src.root is None or not ctx.diff.added or is_test_path(ctx.path):
            return
        resolver = Resolver(ctx)
        seen: set[int] = set()
        for node in src.nodes_of("call_expression", "new_expression"):
            if not ctx.changed(node):
                continue
            finding = _loop_finding(ctx, src, resolver, node) or _fan_out_finding(ctx, src, resolver, node)
            if finding is not None and finding.line not in seen:
                seen.add(finding.line)
                yield finding
        yield from _sync_reads(ctx, src)
        yield from RowFetches(ctx, resolver).findings(src)


def _awaited(call: Node) -> bool:
    """The call's promise is awaited (or yielded) in the function it is written in."""
    fn = call.child_by_field_name("function")
    if fn is not None and fn.type == "await_expression":
        return True
    cur = call.parent
    while cur is not None and cur.type not in FUNCTIONS:
        if cur.type in ("await_expression", "yield_expression"):
            return True
        if cur.type.endswith("statement") or cur.type in ("statement_block", "variable_declarator"):
            return False
        cur = cur.parent
    return False


def _iteration(call: Node, src: SourceFile) -> tuple[Node, Node | None] | None:
    """The innermost loop (or `.forEach` callback) the call runs in, within its function: (loop, iterable)."""
    cur = call.parent
    while cur is not None:
        if cur.type in LOOPS:
            body = cur.child_by_field_name("body")
            if body is not None and is_inside(call, body):
                return cur, cur.child_by_field_name("right")
        if cur.type in FUNCTIONS:
            parent = cur.parent
            outer = parent.parent if parent is not None and parent.type == "arguments" else None
            if outer is not None and outer.type == "call_expression" \
                    and last_name(call_name(src, outer)) in _ITERATORS:
                fn = outer.child_by_field_name("function")
                receiver = fn.child_by_field_name("object") if fn is not None else None
                return outer, receiver
            return None
        cur = cur.parent
    return None


def _loop_finding(ctx: FileContext, src: SourceFile, resolver: Resolver, call: Node) -> Finding | None:
    found = _iteration(call, src)
    if found is None:
        return None
    loop, iterable = found
    if loop.type != "call_expression" and not _awaited(call) and not _sync_fs(src, call):
        return None
    if _runs_once(call, loop) or _searches(src, loop) or resolver.splits(src, iterable):
        return None
    excuse = loop_excuse(src, loop, iterable, call)
    if excuse.structural:
        return None
    hit = resolver.sink(src, call)
    if hit is None:
        return None
    cat = hit.category
    if cat.invariant_only and _varies(src, call, loop):
        return None
    name = call_name(src, call)
    if cat.name == "db" and last_name(name).lower() in _RAW_SQL and _runs_item_statement(src, call, loop):
        return None
    over = f" over `{text(src, iterable)[:40]}`" if iterable is not None else ""
    message = (f"`{name}` makes a {cat.label} on every iteration of the loop{over} (one round trip per item); "
               f"{cat.advice}.{_named(hit)}")
    if excuse.hint:
        return ctx.finding(IO_IN_LOOP, call, f"{message}{_only_name(excuse.hint)}", end=line_of(call),
                           confidence="low", severity=Severity.NOTICE)
    return ctx.finding(IO_IN_LOOP, call, message, end=line_of(call), confidence="medium" if hit.by_name else None)


def _fan_out_finding(ctx: FileContext, src: SourceFile, resolver: Resolver, call: Node) -> Finding | None:
    """`Promise.all(items.map(item => ioCall(item)))` with a batch alternative."""
    func = enclosing_function(call)
    if func is None or func.parent is None or func.parent.type != "arguments":
        return None
    mapper = func.parent.parent
    if mapper is None or mapper.type != "call_expression" or last_name(call_name(src, mapper)) not in _CONCURRENT:
        return None
    outer = mapper.parent.parent if mapper.parent is not None else None
    async_map = any(c.type == "async" for c in func.children)
    if not async_map and not (outer is not None and outer.type == "call_expression"
                              and _PROMISE_ALL.match(call_name(src, outer))):
        return None
    fn = mapper.child_by_field_name("function")
    receiver = unwrap(fn.child_by_field_name("object")) if fn is not None else None
    if receiver is None or receiver.type == "array" or resolver.splits(src, receiver):
        return None
    if not _returns_or_awaits(call, func):
        return None
    hit = resolver.sink(src, call)
    if hit is None:
        return None
    cat = hit.category
    name = call_name(src, call)
    reads = cat.name == "db" and _READS.match(last_name(name))
    variant = None if reads else resolver.batch_variant(src, name)
    if reads:
        why = "one database query per item"
    elif variant == "":
        why = (f"one {cat.label} per item although the module of `{last_name(name)}` has a function that does "
               "it for a list")
    elif variant is not None:
        why = f"one {cat.label} per item although a batch variant of `{last_name(name)}` exists"
        hit = JsSink(cat, hit.by_name or variant)
    else:
        return None
    hint = batch_hint(src, receiver)
    return ctx.finding(FAN_OUT, call, f"`{name}` is fanned out over every item of `{text(src, receiver)[:40]}` "
                       f"at once ({why}); {cat.advice}.{_named(hit)}{_only_name(hint)}", end=line_of(call),
                       confidence="low" if hit.by_name or hint else None,
                       severity=Severity.NOTICE if hint else None)


def _only_name(hint: str) -> str:
    return f" Only a name says this I/O may be inherent: {hint}." if hint else ""


def _named(hit: JsSink) -> str:
    if not hit.by_name:
        return ""
    return (f" Only the name `{hit.by_name}` marks this as a {hit.category.label} (no package, type or "
            "returned I/O result says so).")


def _returns_or_awaits(call: Node, func: Node) -> bool:
    """The call is the mapper's result (expression body, `return`) or awaited in it."""
    body = func.child_by_field_name("body")
    if body is not None and body.type != "statement_block":
        return is_inside(call, body)
    cur = call.parent
    while cur is not None and cur != func:
        if cur.type in ("return_statement", "await_expression"):
            return True
        cur = cur.parent
    return False


def _sync_fs(src: SourceFile, call: Node) -> bool:
    return last_name(call_name(src, call)) in _SYNC_FS


def _sync_reads(ctx: FileContext, src: SourceFile) -> Iterator[Finding]:
    for route in routes(src):
        body = route.handler.child_by_field_name("body")
        for node in walk_scope(body) if body is not None else ():
            if node.type == "call_expression" and _sync_fs(src, node) and ctx.changed(node):
                name = call_name(src, node)
                yield ctx.finding(SYNC_READ, node, f"`{name}` blocks the event loop on every request to "
                                  f"`{route.path or route.method}`, stalling all other requests; read the file once "
                                  "at start-up (or use the async fs/promises API).", end=line_of(node))
