"""Commented-out code: runs of comment lines that parse as code, for the commented-code detectors.

Language-neutral: each language reads its own comment lines and says which parsed statements are
code, neutral or prose; grouping the lines into runs, trimming prose off the ends of a run and
reporting it are shared.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from tree_sitter import Node

from ..detector import FileContext, Rule
from ..models import Finding


@dataclass(frozen=True)
class CommentedCodeSettings:
    min_lines: int = field(default=3, metadata={"help": "consecutive comment lines of code that are flagged"})

Run = list[tuple[int, str]]  # consecutive comment lines: (line number, text after the comment marker)

MAX_TRIM = 3  # prose lines tried off the ends of a run
MAX_RUN = 200  # longer runs are documentation, not a disabled block


def comment_runs(lines: Iterable[tuple[int, str | None]]) -> list[Run]:
    """Group comment lines into runs of consecutive lines. Each item is (line number, text after
    the comment marker), with None for a comment that is not a candidate (it breaks a run); one
    space after the marker is dropped."""
    runs: list[Run] = []
    last = -1
    for line, text in lines:
        if text is None:
            last = -1
            continue
        text = text[1:] if text.startswith(" ") else text
        if line == last + 1 and runs:
            runs[-1].append((line, text))
        else:
            runs.append([(line, text)])
        last = line
    return runs


def all_code(root: Node, statement_kind: Callable[[Node], str]) -> bool:
    """True when no top-level statement of a parsed comment is "prose" and at least one is "code"."""
    code = 0
    for stmt in root.named_children:
        kind = statement_kind(stmt)
        if kind == "prose":
            return False
        code += kind == "code"
    return code > 0


def findings(ctx: FileContext, rule: Rule, runs: list[Run], is_code: Callable[[list[str]], bool],
             skip: Callable[[Run], bool] = lambda run: False) -> Iterator[Finding]:
    """A finding for each run with an added line that holds at least `min_lines` lines of code."""
    minimum = ctx.options.settings(rule, CommentedCodeSettings).min_lines
    added = ctx.diff.added
    for run in runs:
        if len(run) < minimum or len(run) > MAX_RUN or not any(line in added for line, _ in run):
            continue
        if skip(run):
            continue
        span = _code_span(run, minimum, is_code)
        if span is None:
            continue
        yield ctx.finding(
            rule, span[0],
            "This comment block is commented-out code; delete it (version control keeps "
            "the history) or restore it as live code.",
            end=span[1],
        )


def _code_span(run: Run, minimum: int, is_code: Callable[[list[str]], bool]) -> tuple[int, int] | None:
    """The first and last line of the largest code block inside a comment run, if any."""
    n = len(run)
    for trim in range(0, min(MAX_TRIM, n - minimum) + 1):
        for start in range(0, trim + 1):
            part = run[start : n - (trim - start)]
            lines = [t for _, t in part]
            if sum(1 for t in lines if t.strip()) < minimum or not lines[0].strip() or not lines[-1].strip():
                continue
            if is_code(lines):
                return part[0][0], part[-1][0]
    return None
