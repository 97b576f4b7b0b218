"""Functions and handlers the change adds by copying another one and renaming things (JS/TS).

## What it does
Normalises every function of the head tree (declarations, methods, arrow functions and
callbacks such as route handlers) into line shapes: identifiers become `i`, strings `s`, numbers
`0`, keywords and punctuation stay. Windows of `min_lines` consecutive line shapes are hashed;
an added function whose windows shared with another function cover at least `min_lines` of its
lines is reported on its first line (or on the first copied line when only a block is copied),
naming the original. A copy of another added function is reported only for the later one; test
files need `test_min_lines` lines (repeated arrange blocks are common there).

## Why is this bad?
Copy-paste multiplies every bug and every later change; AI agents copy an existing handler for
each new variant instead of parameterising the first one.

## Example
```ts
router.get('/orders/:id', async (req, res) => { ...20 lines... });
router.get('/invoices/:id', async (req, res) => { ...the same 20 lines, other names... });
```

## Use instead
One function taking the parts that differ (model, path, field names) as arguments.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import ClassVar

from tree_sitter import Node, Query, QueryCursor

from ...analysis import clones
from ...analysis.mirrors import Mirrors, head_text
from ...detector import ChangeContext, Detector, FileContext, RepoView, Rule
from ...lang.js import repo_index
from ...lang.js import symbols as sym
from ...lang.js.testing import block_kind
from ...models import Finding, Severity
from ...parsing import SourceFile, end_line_of, grammar, line_of
from . import js_copy_sources as sources
from . import js_shapes
from .thresholds import CopyPasteSettings

RULE = Rule(
    id="js.bloat.copy-paste",
    category="bloat",
    languages=("javascript", "typescript", "tsx"),
    severity=Severity.WARNING,
    summary="Added function is a copy of another with different names or literals",
    settings=CopyPasteSettings(),
    confidence="medium",
)

FUNCTIONS = frozenset({
    "function_declaration", "function_expression", "arrow_function", "method_definition", "function",
    "generator_function_declaration", "generator_function",
})
MAX_FILE_LINES = 5000
MAX_FILES = 3000



def normalized_lines(src: SourceFile) -> dict[int, str]:
    """Line number -> the line's normalised token shapes (comments dropped, names `i`, strings `s`)."""
    return js_shapes.normalized_lines(src.text)


@functools.cache
def _function_query(language: str) -> Query:
    kinds = ["function_declaration", "function_expression", "arrow_function", "method_definition",
             "generator_function_declaration"]
    return Query(grammar(language), " ".join(f"({k}) @f" for k in kinds))


@dataclass(frozen=True)
class Func:
    """What the rule needs of one function: kept by blob id, so an unchanged file is not parsed."""

    path: str
    line: int
    name: str  # "`name`" or "the callback on line N"
    is_async: bool  # async, or awaiting inside
    test_case: bool  # the body of an `it(...)`/`test(...)`/`describe(...)` call


_UNITS = "js.copy-paste.units-1"
_FILE_KEYS = "js.copy-paste.file-keys-2"
Summary = list[tuple[int, int, int, str, bool, bool, list[tuple[int, str]]]]


def summarize(src: SourceFile) -> Summary:
    """(start, end, line, name, async, test case, normalised body lines) of each function of a
    file with a body of more than 6 lines: a pure function of the file's content."""
    root = src.root
    if root is None or src.language is None or len(src.lines) > MAX_FILE_LINES:
        return []
    norm: dict[int, str] | None = None
    found = QueryCursor(_function_query(src.language)).captures(root).get("f", [])
    out: Summary = []
    for node in sorted(found, key=lambda n: (n.start_byte, -n.end_byte)):
        body = node.child_by_field_name("body")
        if body is None or end_line_of(body) - line_of(body) < 6:
            continue
        if norm is None:
            norm = normalized_lines(src)
        lines = [(n, norm[n]) for n in range(line_of(body), end_line_of(body) + 1) if n in norm]
        out.append((node.start_byte, node.end_byte, line_of(node), _name(node), _is_async(node),
                    _is_test_case(node), lines))
    return out


def _units(path: str, summary: Summary) -> Iterator[clones.Unit[Func]]:
    for start, end, line, name, is_async, test_case, lines in summary:
        func = Func(path, line, name, is_async, test_case)
        yield clones.make_unit(func, path, start, end, [(n, text) for n, text in lines])


class _Summaries:
    """The function summaries of head files, read in batches (one git process for the files whose
    summary is not kept by blob id)."""

    def __init__(self, repo: RepoView) -> None:
        self.repo = repo

    def read(self, paths: list[str]) -> dict[str, Summary]:
        known = self.repo.cached_paths("RIGHT", paths, _UNITS)
        self.repo.prefetch("RIGHT", [p for p in paths if p not in known])
        found = {p: self.repo.derived("RIGHT", p, _UNITS, summarize) for p in paths}
        return {p: s for p, s in found.items() if s is not None}

    def units(self, paths: list[str]) -> list[clones.Unit[Func]]:
        read = self.read(paths)
        return [u for path in paths for u in _units(path, read.get(path) or [])]


def _file_keys(src: SourceFile, size: int) -> list[int]:
    """The keys of every window of `size` coarse lines of the whole file (`js_shapes.coarse_lines`):
    a function's lines are consecutive lines of its file, so a window it shares with a target is
    among these, found without parsing the file."""
    return sorted(set(clones.plain_window_keys(js_shapes.coarse_lines(src.text), size)))


def _target_keys(unit: clones.Unit[Func], size: int) -> list[int | None]:
    """The coarse key of each window of a target that `clones.index` hashes (None: a trivial one)."""
    rough = clones.plain_window_keys([js_shapes.coarse(t) for t in unit.texts], size)
    exact = clones.window_key_list(unit.texts, size)
    return [key if hashed is not None else None for hashed, key in zip(exact, rough, strict=True)]


def _long_enough(covered: int, need: int, lines: int) -> bool:
    """A match covering `covered` of a target's `lines` lines counts: `need` lines, and more than
    the shared boilerplate of sibling handlers when it is a part of the target."""
    return covered >= need and (covered >= 0.6 * lines or covered >= need + need // 2)


Rough = list[tuple[list[int | None], int, int]]  # each target's coarse window keys, `need`, lines


def _may_hold(repo: RepoView, paths: list[str], size: int, targets: Rough) -> list[str]:
    """Those of `paths` whose whole-file windows cover enough of a target (its keys, `need`, its
    lines) for a function of the file to be reported as its original: the only files parsed. The
    keys are kept by blob id, so a later scan reads no file to rule one out."""
    kind = f"{_FILE_KEYS}-{size}"
    known = repo.cached_paths("RIGHT", paths, kind)
    repo.prefetch("RIGHT", [p for p in paths if p not in known])
    build = functools.partial(_file_keys, size=size)
    wanted = {k for keys, _, _ in targets for k in keys if k is not None}
    out = []
    for path in paths:
        found = repo.derived("RIGHT", path, kind, build)
        if not found or wanted.isdisjoint(found):
            continue
        have = wanted.intersection(found)
        for keys, need, lines in targets:
            covered = {i for start, k in enumerate(keys) if k in have for i in range(start, start + size)}
            if _long_enough(len(covered), need, lines):
                out.append(path)
                break
    return out


def _neighbourhood(index: repo_index.SideIndex, changed: Iterable[str]) -> list[str]:
    """Changed files and the JS/TS files of their directories and parent directories."""
    dirs = set()
    for path in changed:
        parent = posixpath.dirname(path)
        dirs.update({parent, posixpath.dirname(parent)})
    near = [p for p in index.readable_paths()
            if posixpath.dirname(p) in dirs or posixpath.dirname(posixpath.dirname(p)) in dirs]
    return near[:MAX_FILES]


def _is_async(node: Node) -> bool:
    """Async, or awaiting inside (a sync factory returning an async function): a sync and an async
    twin of the same logic cannot share one body in JavaScript."""
    return any(c.type == "async" for c in node.children) or re.search(rb"\bawait\b", node.text or b"") is not None


def _is_test_case(node: Node) -> bool:
    """The function is the body of an `it(...)`/`test(...)`/`describe(...)` call."""
    args = node.parent
    call = args.parent if args is not None and args.type == "arguments" else None
    if call is None or call.type != "call_expression":
        return False
    root = call.child_by_field_name("function")
    while root is not None and root.type in ("member_expression", "call_expression"):
        root = root.child_by_field_name("object" if root.type == "member_expression" else "function")
    return root is not None and root.type == "identifier" and block_kind(sym.text(root)) != ""


def _compatible(a: clones.Unit[Func], b: clones.Unit[Func]) -> bool:
    """Same sync/async kind; and not two test cases (or suites): test bodies that differ only in
    their inputs and expected values are separate cases by design, not copy-paste."""
    return a.item.is_async == b.item.is_async and not (a.item.test_case and b.item.test_case)


def _name(node: Node) -> str:
    name = node.child_by_field_name("name")
    parent = node.parent
    holders = ("variable_declarator", "pair", "public_field_definition")
    if name is None and parent is not None and parent.type in holders:
        name = parent.child_by_field_name("name") or parent.child_by_field_name("key")
    if name is not None:
        return f"`{sym.text(name)}`"
    return f"the callback on line {line_of(node)}"


class CopyPaste(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (RULE,)

    def check_change(self, ctx: ChangeContext) -> Iterator[Finding]:
        files = {f.path: f for f in ctx.files if f.head is not None and sym.is_js_path(f.path) and f.diff.added}
        if not files:
            return
        index = repo_index.side_index(ctx.repo, "RIGHT")
        size = max(2, ctx.options.settings(RULE, CopyPasteSettings).min_lines)
        test_size = max(size, ctx.options.settings(RULE, CopyPasteSettings).test_min_lines)

        near = _neighbourhood(index, files)
        added_paths = {p for p, f in files.items() if f.diff.status == "added"}
        instances = sources.template_instances(index.readable_paths(), files, added_paths)
        near += sorted({p for ps in instances.values() for p in ps[:sources.MAX_INSTANCES_READ]} - set(near))
        summaries = _Summaries(ctx.repo)
        changed = summaries.units([p for p in near if p in files])
        targets = []
        for unit in changed:
            fctx = files[unit.path]
            if sum(1 for n in unit.lines if n in fctx.diff.added) >= 0.5 * max(1, len(unit.lines)):
                unit.added = True
                targets.append((unit, fctx))
        # a function of another file is indexed only when the file's windows could make it a target's
        # original (`_long_enough`): the other files' functions cannot change a finding
        rough = [(_target_keys(unit, size), test_size if sym.is_test_path(unit.path) else size, len(unit.lines))
                 for unit, _ in targets]
        others = _may_hold(ctx.repo, [p for p in near if p not in files], size, rough)
        by_path: dict[str, list[clones.Unit[Func]]] = {p: [] for p in near}
        for unit in changed + summaries.units(others):
            by_path[unit.path].append(unit)
        units = [u for path in near for u in by_path.get(path, ())]
        reported: list[clones.Unit[Func]] = []
        mirrors = Mirrors(head_text(ctx.repo))
        old_units = [u for path in sources.removed_paths(ctx, sym.is_js_path)
                     for u in _units(path, ctx.repo.derived("LEFT", path, _UNITS, summarize) or [])]
        old_table = clones.index(old_units, size, targets=[u for u, _ in targets]) if old_units else {}
        # a removed function moved to its namesake; one whose name is gone moved into a renamed one
        old_names = {u.item.name for u in old_units if u.item.name.startswith("`")}
        head_names = {u.item.name for u, _ in targets}
        table = clones.index(units, size, targets=[u for u, _ in targets])
        for unit, fctx in targets:
            if any(r.contains(unit) for r in reported):
                continue
            need = test_size if sym.is_test_path(unit.path) else size
            found = clones.matches(unit, table, size, need, _compatible)
            found = [m for m in found if not mirrors(unit.path, m[0].path)]  # a generated twin file
            # a partial copy must be longer than the shared boilerplate of sibling handlers
            found = [m for m in found if _long_enough(len(m[1]), need, len(unit.lines))]
            picked = clones.pick_original(unit, found)
            if picked is None or clones.is_idiom(unit, found) or sources.repeats_an_instance(unit, found, instances):
                continue
            if unit.item.name in old_names or any(
                    m[0].item.name not in head_names for m in clones.matches(unit, old_table, size, need, _compatible)):
                continue  # moved code: a file the change deletes or moves away had this function
            reported.append(unit)
            yield _finding(fctx, unit, *picked)


def _finding(ctx: FileContext, unit: clones.Unit[Func], other: clones.Unit[Func], cov: set[int]) -> Finding:
    first = min(cov)
    whole = len(cov) >= len(unit.lines) * 0.6
    line = unit.item.line if whole or first == 0 else unit.lines[first]
    what = "repeats" if whole else f"repeats {len(cov)} lines of"
    where = f"{other.path}:{other.item.line}"
    name = unit.item.name
    return ctx.finding(
        RULE, line,
        f"{name.capitalize() if name.startswith('the') else name} {what} "
        f"{other.item.name} ({where}) with different names or literals; extract one parameterised "
        f"function and pass the parts that differ.",
    )
