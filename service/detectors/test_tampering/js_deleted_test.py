"""JavaScript/TypeScript tests deleted or commented out.

## What it does
Flags an `it`/`test` block (or a whole `describe` suite, or a whole test file) of the base that is
gone from the head: deleted (reported on the removed line, side LEFT) or commented out (reported
on the commented line). A test that still exists in the head tree under the same title (moved to
another file, a suite renamed), that was rewritten in place under a new title with (mostly) the
same body, or whose code under test the change removes, is not reported.

## Why is this bad?
Deleting the test that started failing is the bluntest way to a green build: the behaviour it
protected is no longer checked, and a large diff hides the deletion well.

## Example
```ts
-  it('rejects lines in different currencies', () => {
-    expect(() => computeTotals(mixed)).toThrow(CurrencyMismatchError);
-  });
```

## Use instead
Keep the test and fix the code; remove a test only together with the behaviour it covers, and say
so in the PR description.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator

from ...analysis.intent import announced, announced_removals, content_stems
from ...detector import ChangeContext, Detector, FileContext, Rule
from ...lang.js.assertion_checks import checks
from ...lang.js.testing import (
    LANGUAGES,
    Block,
    announces_migration,
    base_version,
    blocks,
    body_statements,
    head_titles,
    identifiers,
    is_test_path,
    removed_definitions,
    tests_only,
)
from ...models import Finding, Severity
from ...parsing import SourceFile

DELETED = Rule(
    id="js.test-tampering.deleted-test",
    category="test-tampering",
    languages=LANGUAGES,
    severity=Severity.WARNING,
    summary="A test is deleted or commented out so it no longer runs",
)

_SIMILAR = 0.8
_COMMENTED = re.compile(r"^\s*(?://+|/?\*+)\s*(?:it|test|specify)(?:\.\w+)?\(\s*(['\"`])(.*?)\1")


class JsDeletedTest(Detector):
    rules = (DELETED,)

    def check_change(self, ctx: ChangeContext) -> Iterable[Finding]:
        files = [f for f in ctx.files if f.language in LANGUAGES and f.base is not None
                 and is_test_path(f.diff.old_path or f.path) and f.diff.removed]
        candidates = [(f, t) for f in files for t in _missing(f)]
        if not candidates:
            return
        titles = head_titles(ctx.repo)
        gone = removed_definitions(ctx.files)
        added = _added_tests(ctx)
        removals = announced_removals(ctx.intent)
        migrating = announces_migration(ctx.intent)
        reported: set[str] = set()
        suites_done: set[tuple[str, int]] = set()
        for f, test in candidates:
            base = f.base
            assert base is not None
            if test.title in titles or announced(removals, f.path, test.qualname, body=base.node_text(test.node)):
                continue
            if _rewritten(f, test, added, migrating):
                continue
            commented = _commented_line(f, test)
            if commented:
                yield f.finding(DELETED, commented, f"Test '{test.title}' is commented out, so it no longer "
                                "runs: restore it and fix the code it catches.")
                continue
            if test.body is not None and identifiers(base, test.body) & gone:
                continue
            if _replaced(base, test, added):
                continue
            yield from _report(f, base, test, reported, suites_done)


def _missing(f: FileContext) -> list[Block]:
    """Tests of the base file whose first line is removed and whose name the head file lacks."""
    present = {b.qualname for b in tests_only(blocks(f.head))} if f.head is not None else set()
    removed = f.diff.removed
    return [b for b in tests_only(blocks(f.base)) if b.qualname not in present and b.line in removed
            and "todo" not in b.modifiers]


def _report(f: FileContext, base: SourceFile, test: Block, files: set[str],
            suites: set[tuple[str, int]]) -> Iterator[Finding]:
    if f.diff.status == "deleted":
        if f.path in files:
            return
        files.add(f.path)
        yield f.finding(DELETED, test.line, f"Test file `{f.path}` is deleted with its tests ('{test.title}' "
                        "...): keep the tests, or remove them together with the code they cover and say so.",
                        side="LEFT")
        return
    suite = _deleted_suite(f, base, test)
    if suite is not None:
        key = (f.path, suite.line)
        if key in suites:
            return
        suites.add(key)
        yield f.finding(DELETED, suite.line, f"Suite '{suite.title}' is deleted with its tests: keep them "
                        "or explain why the behaviour is gone.", side="LEFT")
        return
    yield f.finding(DELETED, test.line, f"Test '{test.title}' is deleted: keep it and fix the code, or explain "
                    "why the behaviour is gone.", side="LEFT")


def _deleted_suite(f: FileContext, base: SourceFile, test: Block) -> Block | None:
    """The outermost enclosing base `describe` whose own line the change removes as well."""
    found = None
    for block in blocks(base):
        if block.kind == "suite" and block.line in f.diff.removed \
                and block.node.start_byte <= test.node.start_byte < block.node.end_byte:
            found = found or block
    return found


def _added_tests(ctx: ChangeContext) -> list[tuple[SourceFile, Block]]:
    """Tests that the change adds (new titles) in JS/TS test files."""
    out: list[tuple[SourceFile, Block]] = []
    for f in ctx.files:
        if f.language not in LANGUAGES or f.head is None or not is_test_path(f.path) or not f.diff.added:
            continue
        before = {b.qualname for b in tests_only(blocks(base_version(f)))}
        for test in tests_only(blocks(f.head)):
            if f.changed(test.node) and test.qualname not in before:
                out.append((f.head, test))
    return out


def _replaced(base: SourceFile, test: Block, added: list[tuple[SourceFile, Block]]) -> bool:
    """A new test with (mostly) the same body or the same assertion: a retitled test."""
    mine = body_statements(base, test)
    if not mine:
        return False
    for src, other in added:
        theirs = body_statements(src, other)
        if not theirs:
            continue
        shared = set(mine) & set(theirs)
        if any(s.startswith(("expect(", "awaitexpect(", "assert")) for s in shared):
            return True
        if difflib.SequenceMatcher(None, "\n".join(mine), "\n".join(theirs)).ratio() >= _SIMILAR:
            return True
    return False


_PLACEHOLDER = re.compile(r"%[sdifjopc#%]|\$\{[^}]*\}|\$[\w.#]+")


def _parameterized(title: str) -> bool:
    return bool(_PLACEHOLDER.search(title))


def _rewritten(f: FileContext, test: Block, added: list[tuple[SourceFile, Block]], migrating: bool) -> bool:
    """A parameterised test (`test.each(...)('... %s ...')`) rewritten in the same file as a loop
    of tests with template titles: the title's fixed words all reappear in the new test's
    suite-qualified title; or, when the file now asserts with another library (a test-runner
    migration), any new parameterised test in the file takes its place."""
    if not _parameterized(test.qualname):
        return False
    mine = content_stems(_PLACEHOLDER.sub(" ", test.qualname))
    ours = [t for src, t in added if src is f.head and _parameterized(t.qualname)]
    if any(mine and mine <= content_stems(_PLACEHOLDER.sub(" ", t.qualname)) for t in ours):
        return True
    return bool(ours) and (migrating or _library_changed(f))


def _library_changed(f: FileContext) -> bool:
    """The file's assertions all use another library than before (`expect` -> `assert`)."""
    before = {c.style for c in checks(f.base, f.base.root)} if f.base is not None else set()
    after = {c.style for c in checks(f.head, f.head.root)} if f.head is not None else set()
    return bool(before) and bool(after) and before.isdisjoint(after)


def _commented_line(f: FileContext, test: Block) -> int:
    """The added head line where the test now sits commented out, or 0."""
    head = f.head
    if head is None:
        return 0
    for n in sorted(f.diff.added):
        m = _COMMENTED.match(head.line_text(n))
        if m and m.group(2) == test.title:
            return n
    return 0

