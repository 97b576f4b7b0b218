"""Statements that can never run because an earlier statement of the block always leaves it.

## What it does
Flags the first statement that follows, in the same block, a statement that always leaves it.
One detector serves Python and JS/TS; each language says which statements leave a block
(`python_exits.py`, `js_exits.py`):
- Python: `return`, `raise`, `continue`, `break`, `sys.exit()`, an `if`/`elif`/`else` chain or a
  `try` whose every path exits, a `while True:` loop without `break`; also an added
  `if False:` / `while 0:` whose body can never run.
- JS/TS: `return`, `throw`, `break`, `continue`, `process.exit()`, an `if`/`else` whose every
  branch leaves, a `try` that always leaves, an endless `while (true)`/`for (;;)` without
  `break`. Hoisted function declarations, type declarations and empty statements after an exit
  are not dead and are left alone.
The process-ending calls are the lists `python_exit_calls` and `js_exit_calls` of
`rules/data/dead-code.yml`; a repository adds its own in `.slopguard/dead-code.yml`.
The finding is on the first dead statement the change touches; when the change adds the exit in
front of existing code, it is anchored on the now-dead statement.

## Why is this bad?
Code after an unconditional exit silently never runs: a state update, a commit or a cleanup the
author meant to perform is skipped, and the tests that do not look for its effect still pass.
An agent editing a function often inserts an early `return` above checks it meant to keep.

## Example
```python
def fetch_incremental(conn, until):
    orders = fetch_orders(conn, since=get_watermark(conn))
    return orders
    set_watermark(conn, until)   # never runs
```

## Use instead
```python
def fetch_incremental(conn, until):
    orders = fetch_orders(conn, since=get_watermark(conn))
    set_watermark(conn, until)
    return orders
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from ...analysis.unreachable import Flow, dead_code, message
from ...detector import Detector, FileContext, Rule
from ...models import Finding, Severity
from ...parsing import line_of
from ...ruledata import data_lists
from .js_exits import JS
from .python_exits import PYTHON

PYTHON_RULE = Rule(
    id="python.dead-code.unreachable-code",
    category="dead-code",
    languages=("python",),
    severity=Severity.WARNING,
    summary="A statement after return/raise/continue/break in the same block never runs",
)
JS_RULE = Rule(
    id="js.dead-code.unreachable-code",
    category="dead-code",
    languages=("javascript", "typescript", "tsx"),
    severity=Severity.WARNING,
    summary="A statement after return/throw/break/continue in the same block never runs",
)
FLOWS: dict[str, tuple[Flow, Rule]] = {
    "python": (PYTHON, PYTHON_RULE),
    "javascript": (JS, JS_RULE), "typescript": (JS, JS_RULE), "tsx": (JS, JS_RULE),
}


class UnreachableCode(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (PYTHON_RULE, JS_RULE)

    def check_file(self, ctx: FileContext) -> Iterator[Finding]:
        head = ctx.head
        if head is None or head.root is None or not ctx.diff.added or head.language not in FLOWS:
            return
        flow, rule = FLOWS[head.language]
        added = ctx.diff.added
        calls = data_lists("dead-code", ctx.repo).get(flow.exit_calls)
        for stmt, condition in flow.never_runs(head.root, added):
            yield ctx.finding(
                rule, line_of(stmt),
                f"The body of `{condition}` can never run; delete the block or put the real "
                f"condition back.",
            )
        for block in flow.blocks(head):
            found = dead_code(ctx, flow.statements(block), lambda s: flow.terminates(s, calls), flow.dead)
            if found is None:
                continue
            first = found.first
            tight = found.anchor == "definition" or line_of(first) in added
            yield ctx.finding(rule, line_of(first), message(flow.describe(found.exit)),
                              end=line_of(first) if tight else first, anchor=found.anchor)
