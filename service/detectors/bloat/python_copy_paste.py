"""Functions the pull request adds by copying another function and changing names and literals.

## What it does
Normalises every function of the head tree into a sequence of line shapes (identifiers and
literals abstracted, keywords and operators kept), hashes windows of `min_lines` consecutive
lines, and flags an added function that shares such windows with another function covering at
least `min_lines` of its lines, `min_lines` of which the change adds (a function extended around
a block it already had is not a new copy). The finding sits on the copy's `def` line (or on the first
copied line when only a block is copied) and names the original. When the change adds several
copies, each added copy is reported; a copy of another added function is reported only for the
later one. Test files need `test_min_lines` lines (repeated arrange blocks are common there). A
test function whose whole body repeats another test's with other literals only (names, calls and
layout the same) is a low-confidence notice: a case for `pytest.mark.parametrize`, not a function
to extract.

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

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from pathlib import PurePosixPath
from typing import ClassVar

from ...analysis import clones
from ...analysis.mirrors import Mirrors, head_text
from ...detector import ChangeContext, Detector, FileContext, RepoView, Rule
from ...lang.python import shape_index, shapes
from ...models import Finding, Severity
from .thresholds import CopyPasteSettings

RULE = Rule(
    id="python.bloat.copy-paste",
    category="bloat",
    languages=("python",),
    severity=Severity.WARNING,
    summary="Added function is a copy of another with different names or literals",
    settings=CopyPasteSettings(),
    confidence="medium",
)

# Functions kept per window hash: enough to name an original and to see every copy a PR adds,
# while a shape repeated hundreds of times (generated code) cannot make matching quadratic.
_MAX_BUCKET = 24

_Unit = clones.Unit[shapes.FunctionInfo]
_WINDOWS = "python.copy-paste.windows-1"
_FILE_WINDOWS = "python.copy-paste.file-windows-2"  # coarse lines


class CopyPasteDetector(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (RULE,)

    def check_change(self, ctx: ChangeContext) -> Iterable[Finding]:
        change = shape_index.indexed_change(ctx)
        if change is None:
            return
        files, index = change
        window = max(2, ctx.options.settings(RULE, CopyPasteSettings).min_lines)
        test_window = max(window, ctx.options.settings(RULE, CopyPasteSettings).test_min_lines)
        made = {id(f): _unit(f, index) for f in index.changed_functions(files)}
        targets = []
        for unit in made.values():
            fctx = files[unit.path]
            if shapes.added_fraction(fctx.diff, unit.item.node) >= 0.5:
                unit.added = True
                targets.append((unit, fctx))
        # only the files holding one of the targets' windows can hold a match: found in the index
        wanted = {k for unit, _ in targets for k in clones.window_keys(unit.texts, window)}
        rough = {k for unit, _ in targets for k in _coarse_keys(unit, window)}
        others = [p for p in index.all_paths if p not in files]
        # a function's lines are lines of its file: a file whose whole text's coarse lines have no
        # window with the coarse key of a target's (`_file_keys`) is ruled out unparsed, and is never
        # normalised precisely; the others' functions are, for their exact window keys
        others = ctx.repo.with_keys("RIGHT", others, f"{_FILE_WINDOWS}-{window}", _file_keys(ctx.repo, window), rough)
        near = set(ctx.repo.with_keys("RIGHT", others, f"{_WINDOWS}-{window}", _keys(index, window), wanted))
        index.load_bodies([p for p in others if p in near])
        units = [made.get(id(f)) or _unit(f, index) for f in index.changed_functions({*files, *near})]
        table = clones.index(units, window, _MAX_BUCKET, targets=[u for u, _ in targets])
        mirrors = Mirrors(head_text(ctx.repo))
        shapes_seen: Counter[str] | None = None
        for unit, fctx in targets:
            need = test_window if shapes.is_test_path(unit.path) else window
            found = clones.matches(unit, table, window, need, _same_sync)
            found = [m for m in found if not mirrors(unit.path, m[0].path)]  # a generated twin file
            added = shapes.added_lines(fctx.diff)
            # the repeated lines must be ones the change adds: a kept block is not a new copy
            new_copies = [m for m in found if sum(1 for i in m[1] if unit.lines[i] in added) >= need]
            original = clones.pick_original(unit, new_copies)
            if original is None or _sibling_template(unit, *original, index, files):
                continue
            # a test module's arrange block is its idiom when existing tests share `window` lines
            # of it, though a test needs `test_window` lines to count as a copy
            shared = found if need == window else [
                m for m in clones.matches(unit, table, window, window, _same_sync)
                if not mirrors(unit.path, m[0].path)]
            if clones.is_idiom(unit, shared):
                continue
            if shapes_seen is None:
                shapes_seen = Counter(_shape(u) for u in units if not u.added)
            if shapes_seen[_shape(unit)] < TEMPLATE_COPIES:
                yield _finding(fctx, unit, *original)


# Existing functions with exactly the new function's token sequence (line layout aside) that make
# it the repository's template (a per-model getter: the new one is at least the third).
TEMPLATE_COPIES = 2


def _shape(unit: _Unit) -> str:
    """The function's normalised tokens without line breaks or spaces: the same code whatever
    the formatter wrapped."""
    return "".join(unit.texts).replace(" ", "")


def _sibling_template(unit: _Unit, other: _Unit, cov: set[int], index: shape_index.RepoIndex,
                      files: Mapping[str, FileContext]) -> bool:
    """A part of a function that repeats the same-named function of a sibling module, when at
    least `clones.IDIOM_COPIES` existing modules of the directory define that name (each provider's
    `handle_response`): the shared lines are the directory's template, not a copy. A whole copy
    (`clones.IDIOM_SHARE` of the function) is still reported."""
    parent = PurePosixPath(unit.path).parent
    if (len(cov) >= clones.IDIOM_SHARE * len(unit.lines) or other.item.name != unit.item.name
            or PurePosixPath(other.path).parent != parent):
        return False
    siblings = {f.path for f in index.functions
                if f.name == unit.item.name and f.path != unit.path and PurePosixPath(f.path).parent == parent
                and not (f.path in files and files[f.path].diff.status == "added")}
    return len(siblings) >= clones.IDIOM_COPIES


def _unit(func: shapes.FunctionInfo, index: shape_index.RepoIndex) -> _Unit:
    return clones.make_unit(func, func.path, func.start, func.end, index.body_lines(func))


# Coarse lines, for the whole-file filter, which needs only "equal normalised lines give equal
# coarse lines": a file is ruled out by them without being parsed or normalised precisely.
_RUN = re.compile(r"[\w.#]+")  # `#` stands for a constant in a normalised line
_TEXT_RUN = re.compile(r"[\w.]+")
_BLANKS = re.compile(r"[^\S\n]+|\\")
_OTHER_BLANK = re.compile(r"[^\S\n]")  # left once spaces and tabs are dropped


def coarse(line: str) -> str:
    """A normalised line (`shapes.normalized_lines`) without blanks, each run of name, number, dot
    and constant characters (`I`, `#`, keywords, `I.I`, `returnI`) then as one `w`."""
    return _RUN.sub("w", _BLANKS.sub("", line))


def coarse_lines(text: str) -> list[str]:
    """`coarse` of each value of `shapes.normalized_lines(text)`, in line order, for less work:
    strings and comments go as the normaliser drops them (the same pass), then the blanks, then
    each run of word characters and dots becomes `w`. That is the same: the normaliser rewrites
    only parts of such runs, each part as a non-empty run of `I`, `#` and keywords, and no `#` is
    left once comments are gone, so with the blanks out the runs are the same. A text keeping
    another blank once its strings and comments are gone (a line break `str.splitlines` knows, a
    form feed, a non-breaking space) goes the definition's way."""
    rest = shapes.without_strings_and_comments(text).replace(" ", "").replace("\t", "").replace("\\", "")
    shaped = _TEXT_RUN.sub("w", rest)
    if _OTHER_BLANK.search(shaped):
        return [coarse(line) for line in shapes.normalized_lines(text).values()]
    return [line for line in shaped.split("\n") if line]


def file_window_keys(lines: list[str], size: int) -> set[int]:
    """The keys (`clones.plain_window_keys`) of the windows of a file's coarse lines (`lines`,
    `coarse_lines`), holding the coarse key of every window of its functions' body
    lines: those are consecutive lines of the file but for the function's docstring, which they
    leave out (a docstring's lines hold only string literals, `$`, so the windows across the
    leading part of each run of such lines are added)."""
    codes = clones.line_codes(lines)
    keys = clones.code_window_keys(codes, size)
    start = 0
    while start < len(lines):
        if lines[start].strip("$"):
            start += 1
            continue
        end = start
        while end < len(lines) and not lines[end].strip("$"):
            end += 1
        before = codes[max(0, start - size + 1) : start]
        if before:
            for gap in range(start + 1, end + 1):  # the docstring: lines[start:gap]
                keys.update(clones.code_window_keys(before + codes[gap : gap + size - 1], size))
        start = end
    return keys


def _file_keys(repo: RepoView, size: int) -> Callable[[list[str]], dict[str, set[int]]]:
    """`file_window_keys` of each file, read without parsing it."""
    def of(paths: list[str]) -> dict[str, set[int]]:
        repo.prefetch("RIGHT", paths)
        found = {}
        for path in paths:
            src = repo.source("RIGHT", path)
            if src is not None:
                found[path] = file_window_keys(coarse_lines(src.text), size)
        return found
    return of


def _coarse_keys(unit: _Unit, size: int) -> set[int]:
    """The coarse keys (`file_window_keys`) of the windows of `unit` that `clones.index` hashes."""
    rough = clones.plain_window_keys([coarse(t) for t in unit.texts], size)
    exact = clones.window_key_list(unit.texts, size)
    return {key for hashed, key in zip(exact, rough, strict=True) if hashed is not None}


def _keys(index: shape_index.RepoIndex, window: int) -> Callable[[list[str]], dict[str, set[int]]]:
    """The window keys of the functions of each file (`clones.window_keys`)."""
    def of(paths: list[str]) -> dict[str, set[int]]:
        index.load_bodies(paths)
        return {path: {k for f in index.functions_in.get(path, ())
                       for k in clones.window_keys([t for _, t in index.body_lines(f)], window)} for path in paths}
    return of


def _finding(ctx: FileContext, unit: _Unit, other: _Unit, cov: set[int]) -> Finding:
    first = min(cov)
    whole = len(cov) >= len(unit.lines) * 0.6
    line = unit.item.line if whole or first == 0 else unit.lines[first]
    where = f"{other.item.path}:{other.item.line}"
    if whole and _literal_twin_tests(unit, other):
        return ctx.finding(
            RULE, line,
            f"{unit.item.name} repeats the test {other.item.name} ({where}) with other literals only: one test "
            "parametrized over the literals (`pytest.mark.parametrize`) would keep the cases together.",
            severity=Severity.NOTICE, confidence="low")
    what = "repeats" if whole else f"repeats {len(cov)} lines of"
    return ctx.finding(
        RULE,
        line,
        f"{unit.item.name} {what} {other.item.name} ({where}) with different names or literals; "
        f"extract one parameterised function and pass the parts that differ.",
    )


def _literal_twin_tests(unit: _Unit, other: _Unit) -> bool:
    """Two test functions whose bodies differ in literals only: a case table written out twice,
    a question of parametrizing rather than a copy to extract (`shapes.literal_shape`)."""
    funcs = (unit.item, other.item)
    if not all(shapes.is_test_path(f.path) and f.name.startswith("test") for f in funcs):
        return False
    bodies = [f.node.child_by_field_name("body") for f in funcs]
    if bodies[0] is None or bodies[1] is None:
        return False
    return shapes.literal_shape(unit.item.src, bodies[0]) == shapes.literal_shape(other.item.src, bodies[1])


def _same_sync(a: _Unit, b: _Unit) -> bool:
    """An async twin of a sync function is duplication the language forces; not reported."""
    return _is_async(a.item) == _is_async(b.item)


def _is_async(func: shapes.FunctionInfo) -> bool:
    return func.is_async
