"""Functions the pull request adds by copying another function and changing names and literals.

## What it does
Normalises every function of the head tree into a sequence of line shapes (identifiers and
literals abstracted, keywords and operators kept), hashes windows of `min_lines` consecutive
lines, and flags an added function that shares such windows with another function covering at
least `min_lines` of its lines. The finding sits on the copy's `def` line (or on the first
copied line when only a block is copied) and names the original. When the change adds several
copies, each added copy is reported; a copy of another added function is reported only for the
later one. Test files need `test_min_lines` lines (repeated arrange blocks are common there).

## Why is this bad?
Copy-paste multiplies every bug and every later change; AI agents copy an existing function for
each new variant instead of parameterising the first one. One function taking the varying parts
(column names, delimiter, encoding, a mapping) as arguments replaces all the copies.

## Example
```python
def import_acme_catalog(path): ...       # 25 lines
def import_nordwind_catalog(path): ...   # the same 25 lines, other column names
```

## Use instead
```python
def import_catalog(path, columns: ColumnMap, dialect: Dialect): ...
```
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import ClassVar

from ..detector import ChangeContext, Detector, FileContext, Rule
from ..models import Finding, Severity
from ..parsing import line_of
from . import _py_shapes as shapes

RULE = Rule(
    id="python.bloat.copy-paste",
    category="bloat",
    languages=("python",),
    severity=Severity.WARNING,
    summary="Added function is a copy of another with different names or literals",
    params={"min_lines": 8, "test_min_lines": 15},
)

_MIN_WINDOW_TOKENS = 5  # average shape characters per line of a window; `x = y` runs are not clones
_MIN_DISTINCT_SHAPES = 4
# Occurrences kept per window hash: enough to name an original and to see every copy a PR adds,
# while a shape repeated hundreds of times (generated code) cannot make matching quadratic.
_MAX_BUCKET = 24


@dataclass(eq=False)
class _Shape:
    func: shapes.FunctionInfo
    lines: list[int]  # source line of each normalised line
    hashes: list[int]  # hash of each normalised line
    tokens: list[int]  # token count of each normalised line
    added: bool = False
    windows: list[int] = field(default_factory=list)


class CopyPasteDetector(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (RULE,)

    def check_change(self, ctx: ChangeContext) -> Iterable[Finding]:
        files = shapes.changed_python_files(ctx)
        if not files:
            return
        index = shapes.repo_index(ctx.repo, list(files))
        window = max(2, int(ctx.options.param(RULE, "min_lines") or 8))
        test_window = max(window, int(ctx.options.param(RULE, "test_min_lines") or window))
        all_shapes = [_shape(f, index) for f in index.functions]
        table: dict[int, list[tuple[_Shape, int]]] = defaultdict(list)
        for shape in all_shapes:
            shape.windows = _windows(shape, window)
            for i, h in enumerate(shape.windows):
                if h and len(table[h]) < _MAX_BUCKET:
                    table[h].append((shape, i))
        targets = []
        for shape in all_shapes:
            fctx = files.get(shape.func.path)
            if fctx is not None and shapes.added_fraction(fctx.diff, shape.func.node) >= 0.5:
                shape.added = True
                targets.append((shape, fctx))
        for shape, fctx in targets:
            need = test_window if shapes.is_test_path(shape.func.path) else window
            finding = _check(fctx, shape, table, window, need)
            if finding is not None:
                yield finding


def _shape(func: shapes.FunctionInfo, index: shapes.RepoIndex) -> _Shape:
    body = func.node.child_by_field_name("body")
    lines = shapes.function_lines(index.normalized(func.src), body) if body is not None else []
    return _Shape(
        func=func,
        lines=[n for n, _ in lines],
        hashes=[hash(text) for _, text in lines],
        tokens=[len(text.replace(" ", "")) for _, text in lines],
    )


def _windows(shape: _Shape, size: int) -> list[int]:
    """One hash per window of `size` normalised lines; 0 for trivial windows."""
    out = []
    for i in range(len(shape.hashes) - size + 1):
        chunk = shape.hashes[i : i + size]
        if sum(shape.tokens[i : i + size]) < _MIN_WINDOW_TOKENS * size or len(set(chunk)) < _MIN_DISTINCT_SHAPES:
            out.append(0)
        else:
            out.append(hash(tuple(chunk)))
    return out


def _check(ctx: FileContext, shape: _Shape, table: dict[int, list[tuple[_Shape, int]]],
           window: int, need: int) -> Finding | None:
    covered: dict[int, set[int]] = defaultdict(set)  # id(other) -> covered indexes of shape
    others: dict[int, _Shape] = {}
    for i, h in enumerate(shape.windows):
        if not h:
            continue
        for other, _ in table.get(h, ()):
            if other is shape or _nested(other, shape) or _is_async(other) != _is_async(shape):
                continue
            covered[id(other)].update(range(i, i + window))
            others[id(other)] = other
    candidates = [(len(cov), others[k], cov) for k, cov in covered.items() if len(cov) >= need]
    if not candidates:
        return None
    original = _pick_original(shape, candidates)
    if original is None:
        return None
    other, cov = original
    first = min(cov)
    whole = len(cov) >= len(shape.lines) * 0.6
    line = shape.func.line if whole or first == 0 else shape.lines[first]
    where = f"{other.func.path}:{other.func.line}"
    what = "repeats" if whole else f"repeats {len(cov)} lines of"
    return ctx.finding(
        RULE,
        line,
        f"{shape.func.name} {what} {other.func.name} ({where}) with different names or literals; "
        f"extract one parameterised function and pass the parts that differ.",
    )


def _is_async(shape: _Shape) -> bool:
    """An async twin of a sync function is duplication the language forces; not reported."""
    first = shape.func.node.child(0)
    return first is not None and first.type == "async"


def _nested(a: _Shape, b: _Shape) -> bool:
    na, nb = a.func.node, b.func.node
    if a.func.path != b.func.path:
        return False
    return (na.start_byte <= nb.start_byte and nb.end_byte <= na.end_byte) or (
        nb.start_byte <= na.start_byte and na.end_byte <= nb.end_byte
    )


def _pick_original(
    shape: _Shape, candidates: list[tuple[int, _Shape, set[int]]]
) -> tuple[_Shape, set[int]] | None:
    """Prefer an existing function; among added ones only an earlier one makes this the copy."""
    existing = [c for c in candidates if not c[1].added]
    if existing:
        best = sorted(existing, key=lambda c: (-c[0], _order(c[1])))[0]
        return best[1], best[2]
    earlier = [c for c in candidates if _order(c[1]) < _order(shape)]
    if not earlier:
        return None
    best = min(earlier, key=lambda c: (_order(c[1]), -c[0]))
    return best[1], best[2]


def _order(shape: _Shape) -> tuple[str, int]:
    return shape.func.path, line_of(shape.func.node)

