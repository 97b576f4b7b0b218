"""Assertions of existing tests removed, weakened, made always-true or bent to a new value
(Python and JS/TS).

## What it does
Compares each changed test (a pytest/unittest `test_*` function, an `it`/`test` block of a
`*.test.*`/`*.spec.*` file) with its base version and flags:
- an exact comparison replaced by a weaker check (`assert total > subtotal` for
  `assert total == Decimal("209.34")`, `assertTrue(x)` for `assertEqual`, `toBeTruthy()` for
  `toBe(10_804)`, a `pytest.approx`/`toBeCloseTo` tolerance for an exact value, `pytest.raises(Exception)`
  or `toThrow()` for a specific error, a mock call check that no longer checks the arguments)
  (`weakened-assertion`);
- fewer assertions than before (`removed-assertion`, on the removed base line, or on the line
  where the assertion now sits commented out), unless the lost assertion checked a function,
  class or parameter the change removes from the source, or the test still checks the same thing
  another way (a helper it calls, a new exact assertion that holds the old expected value, the
  rows of a parametrize table the test now runs over);
- an assertion that can never fail (`assert True`, `expect(x).toBe(x)`, a bare `expect(x)`, a
  `return` before the assertions, a handler that swallows the assertion error)
  (`always-true-assertion`);
- an expected literal changed (or a JS snapshot rewritten) in a PR that also changes the code
  under test (`expected-value-changed`, `snapshot-updated`); at low confidence, naming its words,
  when the description announces a behaviour change ("fixes", "now returns") without quoting the
  new value.

One detector serves both languages: each language (`python_assertion_changes.py`,
`js_assertion_changes.py`) lists its tests and assertions, says what makes one assertion weaker
than another and which changes explain a lost assertion; the comparison and the findings are
shared.

## Why is this bad?
When the code breaks a test, the fastest way to a green build is to make the test ask less. The
suite still runs, coverage is unchanged, and the regression ships.

## Example
```python
-    assert invoice.total == Decimal("209.34")
+    assert invoice.total > invoice.subtotal
```

## Use instead
Keep the exact assertion and fix the code, or, when the behaviour change is intended, update the
expected value and say so in the PR description.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, ClassVar, Protocol, TypeVar

from tree_sitter import Node

from ...analysis.assertions import ChangeFacts, Pair, Test, match_checks
from ...detector import ChangeContext, Detector, FileContext, Rule
from ...models import Confidence, Finding, Severity
from ...parsing import SourceFile, end_line_of, line_of
from .js_assertion_changes import JS
from .python_assertion_changes import PYTHON
from .skip_reasons import stated_change, stated_confidence

_WORD = re.compile(r"[A-Za-z_]\w*")
_NUMBER = re.compile(r"\d+(?:\.\d*)?(?:[eE][-+]?\d+)?")


class Assertion(Protocol):
    """One assertion as both languages classify it (`lang.*.assertion_checks.Check`)."""

    @property
    def node(self) -> Node: ...
    @property
    def kind(self) -> str: ...
    @property
    def subject(self) -> str: ...
    @property
    def expected(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def expected_node(self) -> Node | None: ...
    @property
    def line(self) -> int: ...


A = TypeVar("A", bound=Assertion)


class Language(Protocol[A]):
    """What one language tells the detector (see `python_assertion_changes.PythonAssertions`)."""

    weakened: Rule
    removed: Rule
    always_true: Rule
    value_changed: Rule
    grouped: bool  # one removed-assertion finding per test (else one per assertion)
    comment: str  # the line-comment token
    comment_width: int  # how much of a removed assertion's first line a commented copy must repeat
    tail: int  # lines after a test's end that may hold its commented-out assertions

    def files(self, ctx: ChangeContext) -> list[FileContext]: ...
    def other_files(self, ctx: ChangeContext) -> bool: ...
    def facts(self, ctx: ChangeContext) -> ChangeFacts: ...
    def base(self, f: FileContext) -> SourceFile | None: ...
    def tests(self, src: SourceFile | None) -> list[Test]: ...
    def checks(self, src: SourceFile, test: Test) -> Sequence[A]: ...
    def never_fails(self, ctx: FileContext, src: SourceFile, test: Test) -> Iterator[Finding]: ...
    def keeps(self, base: SourceFile, head: SourceFile, pair: Pair[A], before: Sequence[A],
              after: Sequence[A], spare: list[A], facts: ChangeFacts) -> bool: ...
    def rewritten(self, before: Sequence[A], after: Sequence[A], facts: ChangeFacts) -> bool: ...
    def helpers(self, src: SourceFile, test: Test) -> Sequence[A]: ...
    def explained(self, ctx: FileContext, old: Test, new: Test, check: A, fresh: list[A],
                  after: Sequence[A], facts: ChangeFacts) -> bool: ...
    def absorbs(self, base: SourceFile, head: SourceFile, check: A, spare: list[A]) -> bool: ...
    def identifiers(self, src: SourceFile, node: Node) -> set[str]: ...
    def norm(self, text: str) -> str: ...
    def dropped_cases(self, ctx: FileContext, old: Test, new: Test) -> Iterator[Finding]: ...
    def weakening(self, base: SourceFile, head: SourceFile, old: A, new: A) -> str: ...
    def question(self, base: SourceFile, head: SourceFile, old: A, new: A) -> str: ...
    def same_target(self, old: A, new: A) -> bool: ...
    def rerecorded(self, ctx: FileContext, test: Test, old: A, new: A, facts: ChangeFacts) -> Finding | None: ...
    def is_literal(self, src: SourceFile, node: Node | None) -> bool: ...
    def same_value(self, old: str, new: str) -> bool: ...
    def change_findings(self, ctx: ChangeContext, facts: ChangeFacts) -> Iterator[Finding]: ...


LANGUAGES: tuple[Language[Any], ...] = (PYTHON, JS)


class WeakenedAssertion(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (
        PYTHON.weakened, PYTHON.removed, PYTHON.always_true, PYTHON.value_changed,
        JS.weakened, JS.removed, JS.always_true, JS.value_changed, JS.snapshot,
    )

    def check_change(self, ctx: ChangeContext) -> Iterable[Finding]:
        for lang in LANGUAGES:
            files = lang.files(ctx)
            if not files and not lang.other_files(ctx):
                continue
            facts = lang.facts(ctx)
            for f in files:
                yield from _check_file(lang, f, facts)
            yield from lang.change_findings(ctx, facts)


def _check_file(lang: Language[Any], ctx: FileContext, facts: ChangeFacts) -> Iterator[Finding]:
    head = ctx.head
    assert head is not None
    base = lang.base(ctx)
    before = {t.qualname: t for t in lang.tests(base)}
    for test in lang.tests(head):
        old = before.get(test.qualname)
        if not ctx.changed(test.start) and not (old is not None and _lost_lines(ctx, old)):
            continue
        yield from _always_true(lang, ctx, head, test)
        if old is None or base is None:
            continue
        yield from _compare(lang, ctx, base, head, old, test, facts)


def _lost_lines(ctx: FileContext, test: Test) -> bool:
    removed = ctx.diff.removed
    return any(n in removed for n in range(line_of(test.start), end_line_of(test.node) + 1))


# An attribute read, a call or a subscript is evaluated anew on each side: `a.cached is a.cached`
# checks that a property caches, `f() == f()` that `f` is deterministic; neither is a tautology.
_EVALUATED = re.compile(r"[(\[]|[\w)\]]\.[^\W\d]")


def _always_true(lang: Language[Any], ctx: FileContext, src: SourceFile, test: Test) -> Iterator[Finding]:
    for check in lang.checks(src, test):
        if not ctx.changed(check.node):
            continue
        if check.kind == "const" or (check.kind == "eq" and check.subject and check.subject == check.expected
                                     and not _EVALUATED.search(check.subject)):
            yield ctx.finding(lang.always_true, check.node,
                              f"Assertion in {test.label} can never fail: assert the actual expected value.",
                              end=line_of(check.node))
    yield from lang.never_fails(ctx, src, test)


def _compare(lang: Language[Any], ctx: FileContext, base: SourceFile, head: SourceFile, old: Test, new: Test,
             facts: ChangeFacts) -> Iterator[Finding]:
    before = lang.checks(base, old)
    after = lang.checks(head, new)
    lost, fresh, pairs = match_checks(ctx.diff, list(before), list(after), _comparable)
    paired = {id(p.base) for p in pairs}
    spare = [h for h in fresh if h.kind in ("eq", "approx")]
    for pair in pairs:
        if not lang.keeps(base, head, pair, before, after, spare, facts):
            yield from _judge_pair(lang, ctx, base, head, new, pair, facts)
    if lang.rewritten(before, after, facts):
        return  # one assertion of one library rarely maps to exactly one of the other: counts differ
    # assertions moved into (or kept in) a helper the test calls still count
    moved = lang.helpers(head, new)
    kept = {(c.kind, c.subject, c.expected) for c in moved}
    budget = len(before) + len(lang.helpers(base, old)) - len(after) - len(moved)
    candidates = [c for c in lost if not (
        id(c) in paired or lang.absorbs(base, head, c, spare) or (c.kind, c.subject, c.expected) in kept
        or lang.explained(ctx, old, new, c, fresh, after, facts))]
    if lang.grouped:
        # report first what no head assertion of the test (or its helpers) mentions any more
        still = {w for c in [*after, *moved] for w in _WORD.findall(head.node_text(c.node))}
        candidates.sort(key=lambda c: not set(_WORD.findall(c.subject)) - still)
    dropped = candidates[:max(budget, 0)]
    if dropped and lang.grouped:
        yield _removed(lang, ctx, base, head, new, sorted(dropped, key=lambda c: c.line), facts.deprecated)
    elif dropped:
        for check in dropped:
            yield _removed(lang, ctx, base, head, new, [check], set())
    yield from lang.dropped_cases(ctx, old, new)


def _removed(lang: Language[Any], ctx: FileContext, base: SourceFile, head: SourceFile, test: Test,
             dropped: list[Assertion], deprecated: set[str]) -> Finding:
    """One finding for the assertions `test` lost: on the first, naming the base lines of the others.
    A low-confidence notice when every lost assertion uses a function the change deprecates (it now warns)."""
    first = dropped[0]
    warned = sorted(set.intersection(*(lang.identifiers(base, c.node) for c in dropped)) & deprecated)
    more = ""
    if len(dropped) > 1:
        lines = ", ".join(str(c.line) for c in dropped[1:])
        plural = "s" if len(dropped) > 2 else ""
        more = f" (nor {len(dropped) - 1} more assertion{plural}: base line{plural} {lines})"
    message = (f"{test.label} no longer asserts `{_short(base, first)}`{more}: keep the assertion and fix "
               "the code, or explain the behaviour change.")
    confidence: Confidence | None = None
    severity: Severity | None = None
    if warned:  # the change retires what the assertion tested: a question for the author, not a defect
        confidence, severity = "low", Severity.NOTICE
        message += (f" The change deprecates `{warned[0]}` (it now emits a deprecation warning): keep testing it "
                    "under `pytest.deprecated_call()` until it is removed.")
    commented = _commented_out(lang, ctx, head, test, base.node_text(first.node))
    if commented:
        return ctx.finding(lang.removed, commented, message, confidence=confidence, severity=severity)
    return ctx.finding(lang.removed, first.node, message, end=line_of(first.node), side="LEFT",
                       confidence=confidence, severity=severity)


def _commented_out(lang: Language[Any], ctx: FileContext, head: SourceFile, test: Test, code: str) -> int:
    """The added head line inside `test` where `code` now sits commented out, or 0."""
    first = lang.norm(code.splitlines()[0]) if code else ""
    if not first:
        return 0
    for n in range(line_of(test.start), end_line_of(test.node) + 1 + lang.tail):
        text = head.line_text(n).strip()
        if n in ctx.diff.added and text.startswith(lang.comment) \
                and lang.norm(text.lstrip(lang.comment[0])).startswith(first[:lang.comment_width]):
            return n
    return 0


def _comparable(old: Assertion, new: Assertion) -> bool:
    return (old.kind == "raises") == (new.kind == "raises") and (old.kind == "mock") == (new.kind == "mock")


def _judge_pair(lang: Language[Any], ctx: FileContext, base: SourceFile, head: SourceFile, test: Test,
                pair: Pair[Assertion], facts: ChangeFacts) -> Iterator[Finding]:
    old, new = pair.base, pair.head
    why = lang.weakening(base, head, old, new)
    asked = lang.question(base, head, old, new) if why else ""
    if asked:  # a rewrite that may check the same thing another way: the reviewer confirms
        yield ctx.finding(lang.weakened, new.node, f"{test.label}: {asked}", end=line_of(new.node),
                          severity=Severity.NOTICE, confidence="low")
        return
    if why:
        yield ctx.finding(lang.weakened, new.node,
                          f"{test.label}: {why}; keep the exact assertion and fix the code instead.",
                          end=line_of(new.node))
        return
    if not facts.flag_values or not lang.same_target(old, new):
        return
    rerecorded = lang.rerecorded(ctx, test, old, new, facts)
    if rerecorded is not None:
        yield rerecorded
        return
    if (old.kind == new.kind == "eq" and lang.is_literal(base, old.expected_node)
            and lang.is_literal(head, new.expected_node) and not lang.same_value(old.expected, new.expected)
            and not _mentioned(ctx.intent, head.node_text(new.expected_node) if new.expected_node else "")):
        stated = stated_change(facts.described, "value")
        yield ctx.finding(lang.value_changed, new.node,
                          f"{test.label} now expects `{_text(head, new.expected_node)}` instead of "
                          f"`{_text(base, old.expected_node)}` while the code under test changed and {stated}: "
                          "fix the code or describe the change.",
                          end=line_of(new.node), confidence=stated_confidence(facts.described))


def _mentioned(intent: str, literal: str) -> bool:
    """True when the description quotes the new expected value (a number or a string in it)."""
    values = _NUMBER.findall(literal.replace("_", "")) + re.findall(r"[\"'`]([^\"'`]{3,})[\"'`]", literal)
    return any(len(v) > 1 and re.search(r"(?<![\w.])" + re.escape(v) + r"(?![\w])", intent) for v in values)


def _text(src: SourceFile, node: Node | None) -> str:
    return src.node_text(node) if node is not None else ""


def _short(src: SourceFile, check: Assertion) -> str:
    text = " ".join(src.node_text(check.node).split())
    return text if len(text) <= 80 else text[:77] + "..."
