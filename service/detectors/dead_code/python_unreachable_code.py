"""Statements that can never run because an earlier statement of the block always leaves it.

## What it does
Flags the first statement that follows, in the same block, a statement that always leaves it:
`return`, `raise`, `continue`, `break`, `sys.exit()`, an `if`/`elif`/`else` chain or a `try`
whose every path exits, or a `while True:` loop without `break`. Also flags an added
`if False:` / `while 0:` whose body can never run. When the change adds the early exit in front
of existing code, the finding is anchored on the now-dead statement.

## Why is this bad?
Code after an unconditional exit silently never runs: a state update, a commit or a cleanup the
author meant to perform is skipped, and the tests that do not look for its effect still pass.

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

from tree_sitter import Node

from ...analysis.unreachable import dead_code, describe_exit, message
from ...detector import Detector, FileContext, Rule
from ...lang.python import symbols as sym
from ...models import Finding, Severity
from ...parsing import line_of

RULE = Rule(
    id="python.dead-code.unreachable-code",
    category="dead-code",
    languages=("python",),
    severity=Severity.WARNING,
    summary="A statement after return/raise/continue/break in the same block never runs",
)

EXITS = frozenset({"return_statement", "raise_statement", "continue_statement", "break_statement"})
HARMLESS = frozenset({"pass_statement", "comment"})


FALSY = frozenset({"False", "0", "None"})
EXIT_CALLS = frozenset({"sys.exit", "exit", "quit", "os._exit", "os.abort"})
LOOP_SCOPES = frozenset({
    "for_statement", "while_statement", "function_definition", "class_definition", "lambda",
})


def _terminates(stmt: Node) -> bool:
    """True when control never falls through `stmt` to the next statement of its block."""
    if stmt.type in EXITS:
        return True
    if stmt.type == "expression_statement":
        return _is_exit_call(stmt)
    if stmt.type == "if_statement":
        return _if_terminates(stmt)
    if stmt.type == "try_statement":
        return _try_terminates(stmt)
    if stmt.type == "while_statement":
        return _endless(stmt)
    return False


def _is_exit_call(stmt: Node) -> bool:
    call = stmt.named_children[0] if stmt.named_child_count == 1 else None
    if call is None or call.type != "call":
        return False
    return sym.text(call.child_by_field_name("function")) in EXIT_CALLS


def _clause_block(clause: Node) -> Node | None:
    return next((c for c in clause.named_children if c.type == "block"), None)


def _try_terminates(stmt: Node) -> bool:
    """A `finally` that always exits, or a body and every handler that always exit."""
    clauses = [c for c in stmt.named_children if c.type.endswith("clause")]
    if any(c.type == "finally_clause" and _block_terminates(_clause_block(c)) for c in clauses):
        return True
    if not _block_terminates(stmt.child_by_field_name("body")):
        return False
    handlers = [c for c in clauses if c.type in ("except_clause", "except_group_clause")]
    return all(_block_terminates(_clause_block(h)) for h in handlers)


def _endless(loop: Node) -> bool:
    """`while True:` without a `break` of its own and without an `else`."""
    condition = loop.child_by_field_name("condition")
    if condition is None or sym.text(condition) not in ("True", "1"):
        return False
    if loop.child_by_field_name("alternative") is not None:
        return False
    body = loop.child_by_field_name("body")
    stack = list(body.named_children) if body is not None else []
    while stack:
        node = stack.pop()
        if node.type == "break_statement":
            return False
        if node.type not in LOOP_SCOPES:
            stack.extend(node.named_children)
    return True


def _block_terminates(block: Node | None) -> bool:
    if block is None:
        return False
    return any(_terminates(child) for child in block.named_children)


def _if_terminates(stmt: Node) -> bool:
    if not _block_terminates(stmt.child_by_field_name("consequence")):
        return False
    has_else = False
    for clause in stmt.children_by_field_name("alternative"):
        body = clause.child_by_field_name("consequence") or clause.child_by_field_name("body")
        if not _block_terminates(body):
            return False
        has_else = has_else or clause.type == "else_clause"
    return has_else


def _describe(stmt: Node) -> str:
    others = {
        "expression_statement": f"`{sym.text(stmt).split('(', 1)[0]}()`",
        "while_statement": "an endless `while` loop without `break`",
    }
    return describe_exit(stmt, EXITS, others, "an exit")


def _harmless(stmt: Node) -> bool:
    """`pass`, `...`, a docstring-like string, or the `return; yield` empty-generator idiom."""
    if stmt.type in HARMLESS:
        return True
    if stmt.type == "expression_statement" and stmt.named_child_count == 1:
        inner = stmt.named_children[0]
        return inner.type in ("ellipsis", "string", "yield")
    return False


class UnreachableCode(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (RULE,)

    def check_file(self, ctx: FileContext) -> Iterator[Finding]:
        head = ctx.head
        if head is None or head.root is None or not ctx.diff.added:
            return
        added = ctx.diff.added
        for stmt in sym.statements(head.root):
            if stmt.type in ("if_statement", "while_statement") and line_of(stmt) in added:
                yield from self._constant_false(ctx, stmt)
            block = stmt.parent
            if block is not None and block.type == "block" and block.named_children[0] == stmt:
                yield from self._check_block(ctx, added, block)

    def _constant_false(self, ctx: FileContext, stmt: Node) -> Iterator[Finding]:
        condition = stmt.child_by_field_name("condition")
        if condition is None or sym.text(condition) not in FALSY:
            return
        keyword = stmt.type.split("_", 1)[0]
        yield ctx.finding(
            RULE, line_of(stmt),
            f"The body of `{keyword} {sym.text(condition)}:` can never run; delete the block "
            f"or put the real condition back.",
        )

    def _check_block(self, ctx: FileContext, added: frozenset[int], block: Node) -> Iterator[Finding]:
        stmts = [c for c in block.named_children if c.type != "comment"]
        found = dead_code(ctx, stmts, _terminates, lambda s: not _harmless(s))
        if found is None:
            return
        first = found.first
        tight = found.anchor == "definition" or line_of(first) in added
        yield ctx.finding(RULE, line_of(first), message(_describe(found.exit)),
                          end=line_of(first) if tight else first, anchor=found.anchor)
