"""Blocks of commented-out Python code.

## What it does
Flags three or more consecutive full-line comments that, with the `#` removed, parse as Python
without errors and contain real statements (calls, assignments, imports, control flow,
definitions) rather than prose. Tool pragmas (`# noqa`, `# type:`, `# pragma:`...) end a block.

## Why is this bad?
Commented-out code is dead code that version control already remembers. It rots (nobody updates
it when the live code changes), confuses readers about what actually runs, and in AI-written
changes often marks an approach that was abandoned half-way or a check that was switched off.

## Example
```python
def sync(client):
    # for item in client.pending():
    #     client.push(item)
    #     log.info("pushed %s", item.id)
    client.push_all()
```

## Use instead
```python
def sync(client):
    client.push_all()
```
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator
from typing import ClassVar

from tree_sitter import Node

from ..detector import Detector, FileContext, Rule
from ..models import Finding, Severity
from ..parsing import parse_source
from . import _py_symbols as sym

RULE = Rule(
    id="python.dead-code.commented-out-code",
    category="dead-code",
    languages=("python",),
    severity=Severity.NOTICE,
    summary="Three or more consecutive comment lines that are Python code, not prose",
    params={"min_lines": 3},
)

PRAGMA = re.compile(r"^#\s*(?:!|-\*-|type:|noqa|pragma|fmt:|pylint:|mypy:|isort:|ruff:|nosec|"
                    r"pyright:|slopguard:|vim:|coding[:=])")
CODE_EXPRESSIONS = frozenset({"call", "assignment", "augmented_assignment", "await", "yield"})
CODE_STATEMENTS = frozenset({
    "import_statement", "import_from_statement", "return_statement", "raise_statement",
    "if_statement", "for_statement", "while_statement", "with_statement", "try_statement",
    "function_definition", "class_definition", "decorated_definition", "delete_statement",
    "assert_statement", "match_statement",
})
NEUTRAL_STATEMENTS = frozenset({
    "pass_statement", "break_statement", "continue_statement", "global_statement",
    "nonlocal_statement", "comment",
})
MAX_TRIM = 3
MAX_RUN = 200


def _comment_runs(ctx: FileContext) -> list[list[tuple[int, str]]]:
    """Runs of consecutive full-line comments: (line number, text after the `#`)."""
    head = ctx.head
    if head is None or head.root is None:
        return []
    runs: list[list[tuple[int, str]]] = []
    last = -1
    for node in sym.comments(head.root):
        line = node.start_point[0] + 1
        raw = head.line_text(line)
        body = raw.strip()
        if not body.startswith("#") or PRAGMA.match(body):
            last = -1
            continue
        stripped = body.lstrip("#")
        stripped = stripped[1:] if stripped.startswith(" ") else stripped
        if line == last + 1 and runs:
            runs[-1].append((line, stripped))
        else:
            runs.append([(line, stripped)])
        last = line
    return runs


def _is_code(lines: list[str]) -> bool:
    """True when the uncommented lines parse cleanly as Python statements, not as prose."""
    source = textwrap.dedent("\n".join(lines)) + "\n"
    if not re.search(r"[(=\[:]", source):
        return False
    root = parse_source("commented.py", source).root
    if root is None or root.has_error:
        return False
    code = 0
    for stmt in root.named_children:
        kind = _statement_kind(stmt)
        if kind == "prose":
            return False
        code += kind == "code"
    return code > 0


def _statement_kind(stmt: Node) -> str:
    if stmt.type in CODE_STATEMENTS:
        return "code"
    if stmt.type in NEUTRAL_STATEMENTS:
        return "neutral"
    if stmt.type == "expression_statement" and stmt.named_child_count == 1:
        inner = stmt.named_children[0]
        if inner.type == "assignment" and inner.child_by_field_name("right") is None:
            return "prose"  # `Note: something` parses as a bare annotation
        if inner.type in CODE_EXPRESSIONS:
            return "code"
    return "prose"


def _code_span(run: list[tuple[int, str]], minimum: int) -> tuple[int, int] | None:
    """The first and last line of the largest code block inside a comment run, if any."""
    n = len(run)
    for trim in range(0, min(MAX_TRIM, n - minimum) + 1):
        for start in range(0, trim + 1):
            end = n - (trim - start)
            part = run[start:end]
            lines = [text for _, text in part]
            if sum(1 for t in lines if t.strip()) < minimum:
                continue
            if not part[0][1].strip() or not part[-1][1].strip():
                continue
            if _is_code(lines):
                return part[0][0], part[-1][0]
    return None


class CommentedOutCode(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (RULE,)

    def check_file(self, ctx: FileContext) -> Iterator[Finding]:
        if ctx.head is None or not ctx.diff.added:
            return
        minimum = int(ctx.options.param(RULE, "min_lines"))
        added = ctx.diff.added
        for run in _comment_runs(ctx):
            if len(run) < minimum or len(run) > MAX_RUN:
                continue
            if not any(line in added for line, _ in run):
                continue
            span = _code_span(run, minimum)
            if span is None:
                continue
            yield ctx.finding(
                RULE, span[0],
                "This comment block is commented-out code; delete it (version control keeps "
                "the history) or restore it as live code.",
                end=span[1],
            )
