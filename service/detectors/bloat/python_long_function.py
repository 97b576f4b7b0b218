"""Functions the pull request adds or grows far beyond the repository's own norm.

## What it does
Measures every function of the head tree (non-blank, non-comment lines; branches = `if`, `elif`,
`for`, `while`, `try`, `and`, `or`) and flags, on its `def` line, a function the change adds or
substantially grows whose length exceeds `max(2 * p95, max_lines)` or whose branch count
exceeds `max(2 * p95, max_branches)`, p95 being the repository's 95th percentile. A function
that was already over the limit in the base and only had a few lines touched is left alone.

## Why is this bad?
A function far larger than anything else in the codebase usually does several jobs at once
(parsing, validation, I/O, formatting); it is hard to review, to test and to change, and AI
agents tend to grow one function instead of adding small named steps.

## Example
```python
def sync_orders(client, db):   # 160 lines, 40 branches
    ...
```

## Use instead
```python
def sync_orders(client, db):
    for page in fetch_pages(client):
        db.save_all(parse_orders(page))
```
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar

from ...detector import ChangeContext, Detector, FileContext, Rule
from ...lang.python import shape_index, shapes
from ...models import Finding, Severity
from .thresholds import LongFunctionSettings

RULE = Rule(
    id="python.bloat.long-function",
    category="bloat",
    languages=("python",),
    severity=Severity.NOTICE,
    summary="Added or grown function far beyond the repository's usual size",
    settings=LongFunctionSettings(),
    confidence="medium",
)
_MIN_SAMPLE = 20  # fewer existing functions than this: no meaningful norm, use the floors


def percentile(values: Sequence[int], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


class LongFunctionDetector(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (RULE,)

    def check_change(self, ctx: ChangeContext) -> Iterable[Finding]:
        change = shape_index.indexed_change(ctx)
        if change is None:
            return
        files, index = change
        limits = ctx.options.settings(RULE, LongFunctionSettings)
        factor = limits.percentile_factor
        # a limit is never below the settings' floor: the repository's sizes only matter to a
        # changed function over it (else they are not read)
        if not any(size[0] > limits.max_lines or size[1] > limits.max_branches
                   for size in map(index.size, index.changed_functions(files))):
            return
        sizes = [index.size(f) for f in index.functions]
        added = [f.path in files and shapes.added_fraction(files[f.path].diff, f.node) >= 0.5
                 for f in index.functions]
        norm = [size for size, new in zip(sizes, added, strict=True) if not new]  # the repo before the PR
        if len(norm) < _MIN_SAMPLE:
            norm = []
        line_limit = max(factor * percentile([s[0] for s in norm], 0.95),
                         float(limits.max_lines))
        branch_limit = max(factor * percentile([s[1] for s in norm], 0.95),
                           float(limits.max_branches))
        for func, (lines, branches) in zip(index.functions, sizes, strict=True):
            fctx = files.get(func.path)
            if fctx is None or (lines <= line_limit and branches <= branch_limit):
                continue
            if _grown(fctx, func, (lines, branches), line_limit, branch_limit):
                yield _finding(fctx, func, lines, branches, line_limit, branch_limit)


def _grown(ctx: FileContext, func: shapes.FunctionInfo, size: tuple[int, int], line_limit: float,
           branch_limit: float) -> bool:
    """Added, or substantially grown from a base version that was within the limits; never a
    function that was already over the limits and that the change does not make larger."""
    base = _base_version(ctx, func)
    if base is not None:
        was = shapes.function_size(shapes.normalized_lines(base.src.text), base.node)
        was_long = was[0] > line_limit or was[1] > branch_limit
        if was_long and size[0] <= max(was[0], line_limit) and size[1] <= max(was[1], branch_limit):
            return False  # rewritten, but no longer than before
    if shapes.added_fraction(ctx.diff, func.node) >= 0.5:
        return True
    if base is None:
        return False  # a renamed or moved function is not new code
    return not was_long and shapes.added_fraction(ctx.diff, func.node) >= 0.2


def _base_version(ctx: FileContext, func: shapes.FunctionInfo) -> shapes.FunctionInfo | None:
    if ctx.base is None:
        return None
    _, functions = shapes.classes_and_functions(ctx.base.path, ctx.base)
    return next((f for f in functions if f.qualname == func.qualname), None)


def _finding(ctx: FileContext, func: shapes.FunctionInfo, lines: int, branches: int,
             line_limit: float, branch_limit: float) -> Finding:
    parts = []
    if lines > line_limit:
        parts.append(f"{lines} lines of logic (limit {int(line_limit)})")
    if branches > branch_limit:
        parts.append(f"{branches} branches besides guard clauses (limit {int(branch_limit)})")
    anchor = "line" if func.line in shapes.added_lines(ctx.diff) else "definition"
    return ctx.finding(
        RULE,
        func.line,
        f"{func.name} has {' and '.join(parts)}, far beyond this repository's usual function size; "
        f"split it into small named steps (parse, validate, act, format) that each do one job.",
        anchor=anchor,
    )
