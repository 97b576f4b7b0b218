"""Which Python statements always leave their block: the Python side of the unreachable-code
detector (`unreachable_code.py`)."""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from ...analysis.unreachable import Flow, describe_exit
from ...lang.python import symbols as sym
from ...parsing import SourceFile, line_of

EXITS = frozenset({"return_statement", "raise_statement", "continue_statement", "break_statement"})
HARMLESS = frozenset({"pass_statement", "comment"})


FALSY = frozenset({"False", "0", "None"})
LOOP_SCOPES = frozenset({
    "for_statement", "while_statement", "function_definition", "class_definition", "lambda",
})


def _terminates(stmt: Node, calls: frozenset[str]) -> bool:
    """True when control never falls through `stmt` to the next statement of its block."""
    if stmt.type in EXITS:
        return True
    if stmt.type == "expression_statement":
        return _is_exit_call(stmt, calls)
    if stmt.type == "if_statement":
        return _if_terminates(stmt, calls)
    if stmt.type == "try_statement":
        return _try_terminates(stmt, calls)
    if stmt.type == "while_statement":
        return _endless(stmt)
    return False


def _is_exit_call(stmt: Node, calls: frozenset[str]) -> bool:
    call = stmt.named_children[0] if stmt.named_child_count == 1 else None
    if call is None or call.type != "call":
        return False
    return sym.text(call.child_by_field_name("function")) in calls


def _clause_block(clause: Node) -> Node | None:
    return next((c for c in clause.named_children if c.type == "block"), None)


def _try_terminates(stmt: Node, calls: frozenset[str]) -> bool:
    """A `finally` that always exits, or a body and every handler that always exit."""
    clauses = [c for c in stmt.named_children if c.type.endswith("clause")]
    if any(c.type == "finally_clause" and _block_terminates(_clause_block(c), calls) for c in clauses):
        return True
    if not _block_terminates(stmt.child_by_field_name("body"), calls):
        return False
    handlers = [c for c in clauses if c.type in ("except_clause", "except_group_clause")]
    return all(_block_terminates(_clause_block(h), calls) for h in handlers)


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


def _block_terminates(block: Node | None, calls: frozenset[str]) -> bool:
    if block is None:
        return False
    return any(_terminates(child, calls) for child in block.named_children)


def _if_terminates(stmt: Node, calls: frozenset[str]) -> bool:
    if not _block_terminates(stmt.child_by_field_name("consequence"), calls):
        return False
    has_else = False
    for clause in stmt.children_by_field_name("alternative"):
        body = clause.child_by_field_name("consequence") or clause.child_by_field_name("body")
        if not _block_terminates(body, calls):
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


def _blocks(src: SourceFile) -> Iterator[Node]:
    """Every statement block of the tree."""
    assert src.root is not None
    for stmt in sym.statements(src.root):
        block = stmt.parent
        if block is not None and block.type == "block" and block.named_children[0] == stmt:
            yield block


def _never_runs(root: Node, added: frozenset[int]) -> Iterator[tuple[Node, str]]:
    """Added `if False:` / `while 0:` statements, with the words the finding uses."""
    for stmt in sym.statements(root):
        if stmt.type not in ("if_statement", "while_statement") or line_of(stmt) not in added:
            continue
        condition = stmt.child_by_field_name("condition")
        if condition is not None and sym.text(condition) in FALSY:
            yield stmt, f"{stmt.type.split('_', 1)[0]} {sym.text(condition)}:"


PYTHON = Flow(
    exit_calls="python_exit_calls",
    blocks=_blocks,
    statements=lambda block: [c for c in block.named_children if c.type != "comment"],
    terminates=_terminates,
    dead=lambda stmt: not _harmless(stmt),
    describe=_describe,
    never_runs=_never_runs,
)
