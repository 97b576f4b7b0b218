"""Code after a statement that always exits, for the unreachable-code detectors.

Language-neutral: each language says which statements always exit and which statements after
them are harmless; finding the dead run in a block and wording the finding is shared.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from tree_sitter import Node

from ..detector import FileContext
from ..parsing import SourceFile

# Compound statements that can always exit, in every grammar we read.
_COMPOUND_EXITS = {
    "if_statement": "an if/else whose every branch exits",
    "try_statement": "a try statement that always exits",
}


def _nothing(root: Node, added: frozenset[int]) -> Iterator[tuple[Node, str]]:
    return iter(())


@dataclass(frozen=True)
class Flow:
    """What one language says about leaving a block."""

    exit_calls: str  # the list of rules/data/dead-code.yml naming calls that end the process
    blocks: Callable[[SourceFile], Iterator[Node]]  # every statement block of a file's tree
    statements: Callable[[Node], list[Node]]  # a block's statements, comments left out
    terminates: Callable[[Node, frozenset[str]], bool]  # control never falls through this statement
    # (given the names of the calls that end the process)
    dead: Callable[[Node], bool]  # this statement, after an exit, is code that cannot run
    describe: Callable[[Node], str]  # how a finding names the exiting statement
    # added statements whose body can never run (`if False:`), with the condition as written
    never_runs: Callable[[Node, frozenset[int]], Iterator[tuple[Node, str]]] = _nothing


class DeadCode(NamedTuple):
    exit: Node  # the statement that always exits
    first: Node  # the first statement after it that can never run
    anchor: str  # "line" when the change touched the dead code, "definition" when it added the exit


def dead_code(ctx: FileContext, stmts: list[Node], terminates: Callable[[Node], bool],
              dead: Callable[[Node], bool]) -> DeadCode | None:
    """The first statement of a block (`stmts`, comments left out) that always exits, when `dead`
    statements follow it and the change touched either them or the exit."""
    for i, stmt in enumerate(stmts[:-1]):
        if not terminates(stmt):
            continue
        after = [s for s in stmts[i + 1 :] if dead(s)]
        if not after:
            return None
        changed = [s for s in after if ctx.changed(s)]
        if changed:
            return DeadCode(stmt, changed[0], "line")
        if ctx.changed(stmt):
            return DeadCode(stmt, after[0], "definition")  # the change added the exit before old code
        return None
    return None


def describe_exit(stmt: Node, exits: frozenset[str], others: Mapping[str, str], default: str) -> str:
    """How a finding names the statement that always exits: its keyword (`return`), else what
    kind of statement it is."""
    if stmt.type in exits:
        return f"`{stmt.type.split('_', 1)[0]}`"
    return others.get(stmt.type) or _COMPOUND_EXITS.get(stmt.type, default)


def message(exit_description: str) -> str:
    return (f"This code follows {exit_description} in the same block and can never run; "
            "move it before the exit or delete it.")
