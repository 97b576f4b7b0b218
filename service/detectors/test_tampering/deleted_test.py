"""Tests deleted, commented out or renamed so that the runner no longer runs them (Python and JS/TS).

## What it does
Flags a test of the base that is gone from the head: a pytest/unittest test function, test class
or test module, or a JS/TS `it`/`test` block, `describe` suite or test file. Deleted tests are
reported on the removed line (side LEFT; one finding per deleted file, class or suite); a test
commented out, or (Python) renamed to a name pytest does not collect (`_test_x`,
`disabled_test_x`), is reported on its head line. A test that still exists elsewhere in the head
(moved to another file, a suite renamed), that was rewritten under a new name with (mostly) the
same body or the same assertion, whose code under test the change removes (a deleted function or
class, a parameter removed from a signature), or whose removal the description announces, is not
reported. A Python test that a test added in its place replaces (the new `def` in the hunk that
removes the old one, making a call of the repository's code the deleted test made, with the same
arguments but literals) while the change edits non-test code is a low-confidence notice naming the
replacement: the change alters the behaviour, and the reviewer confirms that is its point.

One detector serves both languages: each language (`python_deletions.py`, `js_deletions.py`)
lists the tests of a file, says what replaced or disabled one and what encloses it; the search
for a replacement and the findings are shared.

## Why is this bad?
Deleting the test that started failing is the bluntest way to a green build: the behaviour it
protected is no longer checked by anyone, and the diff of a large PR hides it well.

## Example
```python
-def test_coupon_min_spend_uses_pre_discount_subtotal():
-    ...
```

## Use instead
Keep the test and fix the code; remove a test only together with the behaviour it covers, and say
so in the PR description.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar, Protocol, TypeVar

from ...analysis.assertions import ChangeFacts
from ...analysis.intent import announced, announced_removals
from ...detector import ChangeContext, Detector, FileContext, RepoView, Rule
from ...models import Finding, Severity
from ...parsing import SourceFile
from .js_deletions import JS
from .python_deletions import PYTHON

T = TypeVar("T")


class Deletions(Protocol[T]):
    """What one language tells the detector about its tests `T` (see `python_deletions.PythonDeletions`)."""

    rule: Rule
    file_noun: str  # "Test module", "Test file"
    asserting: tuple[str, ...]  # how a normalised assertion statement starts
    similar: float  # how alike two bodies must be for one to replace the other
    similar_named: float  # ... when the two test names are alike as well
    replaced_at: str  # where `replacement` finds the new test: "in its place", "to its file"

    def files(self, ctx: ChangeContext) -> list[FileContext]: ...
    def missing(self, f: FileContext) -> list[T]: ...
    def head_names(self, repo: RepoView) -> set[str]: ...
    def name(self, test: T) -> str: ...
    def qualname(self, test: T) -> str: ...
    def label(self, test: T) -> str: ...
    def line(self, test: T) -> int: ...
    def text(self, src: SourceFile, test: T) -> str: ...
    def gone(self, ctx: ChangeContext) -> ChangeFacts: ...
    def added(self, ctx: ChangeContext) -> list[tuple[SourceFile, T]]: ...
    def rewritten(self, f: FileContext, test: T, added: list[tuple[SourceFile, T]], gone: ChangeFacts) -> bool: ...
    def disabled(self, f: FileContext, test: T) -> tuple[Any, str] | None: ...
    def checks_removed(self, base: SourceFile, test: T, gone: ChangeFacts) -> bool: ...
    def statements(self, src: SourceFile, test: T) -> list[str]: ...
    def container(self, f: FileContext, base: SourceFile, test: T) -> tuple[object, int, str] | None: ...
    def replacement(self, ctx: ChangeContext, f: FileContext, test: T,
                    added: list[tuple[SourceFile, T]]) -> tuple[str, str] | None: ...


LANGUAGES: tuple[Deletions[Any], ...] = (PYTHON, JS)


class DeletedTest(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (PYTHON.rule, JS.rule)

    def check_change(self, ctx: ChangeContext) -> Iterable[Finding]:
        for lang in LANGUAGES:
            yield from _deleted(lang, ctx)


def _deleted(lang: Deletions[T], ctx: ChangeContext) -> Iterator[Finding]:
    candidates = [(f, t) for f in lang.files(ctx) for t in lang.missing(f)]
    if not candidates:
        return
    names = lang.head_names(ctx.repo)
    gone = lang.gone(ctx)
    added = lang.added(ctx)
    removals = announced_removals(ctx.intent)
    done: set[object] = set()
    for f, test in candidates:
        base = f.base
        assert base is not None
        if lang.name(test) in names or announced(removals, f.path, lang.qualname(test), body=lang.text(base, test)):
            continue
        if lang.rewritten(f, test, added, gone):
            continue
        disabled = lang.disabled(f, test)
        if disabled is not None:
            yield f.finding(lang.rule, disabled[0], disabled[1])
            continue
        if lang.checks_removed(base, test, gone) or _replaced(lang, base, test, added):
            continue
        swap = lang.replacement(ctx, f, test, added) if f.diff.status != "deleted" \
            and lang.container(f, base, test) is None else None
        if swap is not None:
            message = (f"Test {lang.label(test)} is deleted; `{swap[0]}`, which the change adds {lang.replaced_at}, "
                       f"makes the same call `{swap[1]}`: check that the behaviour the deleted test asserted is meant "
                       "to change.")
            yield f.finding(lang.rule, lang.line(test), message, side="LEFT", severity=Severity.NOTICE,
                            confidence="low")
            continue
        yield from _report(lang, f, base, test, done)


def _report(lang: Deletions[T], f: FileContext, base: SourceFile, test: T, done: set[object]) -> Iterator[Finding]:
    """One finding per deleted file, per deleted class or suite, or per test."""
    if f.diff.status == "deleted":
        if f.path in done:
            return
        done.add(f.path)
        yield f.finding(lang.rule, lang.line(test), f"{lang.file_noun} `{f.path}` is deleted with its tests "
                        f"({lang.label(test)} ...): keep the tests, or remove them together with the code they "
                        "cover and say so.", side="LEFT")
        return
    container = lang.container(f, base, test)
    if container is not None:
        key, line, message = container
        if (f.path, key) not in done:
            done.add((f.path, key))
            yield f.finding(lang.rule, line, message, side="LEFT")
        return
    yield f.finding(lang.rule, lang.line(test), f"Test {lang.label(test)} is deleted: keep it and fix the code, "
                    "or explain why the behaviour is gone.", side="LEFT")


def _replaced(lang: Deletions[T], base: SourceFile, test: T, added: list[tuple[SourceFile, T]]) -> bool:
    """A new test with (mostly) the same body or the same assertion: a rename or a rewrite in place."""
    mine = lang.statements(base, test)
    if not mine:
        return False
    for src, other in added:
        theirs = lang.statements(src, other)
        if not theirs:
            continue
        if any(s.startswith(lang.asserting) for s in set(mine) & set(theirs)):
            return True
        ratio = difflib.SequenceMatcher(None, "\n".join(mine), "\n".join(theirs)).ratio()
        if ratio >= lang.similar or (ratio >= lang.similar_named and difflib.SequenceMatcher(
                None, lang.name(test), lang.name(other)).ratio() >= 0.5):
            return True
    return False
