"""The JavaScript/TypeScript side of the weakened-assertion detector (`weakened_assertion.py`):
`it`/`test` blocks, what makes one `expect` matcher weaker than another, assertion-library
migrations, and snapshots (`__snapshots__/*.snap`, `toMatchInlineSnapshot`) rewritten while the
code under test changed (`snapshot-updated`)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from tree_sitter import Node

from ...analysis.assertions import ChangeFacts, Pair, Test, absorbed
from ...detector import ChangeContext, FileContext, Rule
from ...lang.js.assertion_checks import Check, checks, is_literal
from ...lang.js.testing import (
    LANGUAGES,
    Block,
    announces_migration,
    base_version,
    blocks,
    chain,
    fed_by_removed,
    identifiers,
    is_test_path,
    norm,
    removed_definitions,
    source_changed,
    tests_only,
    text_of,
)
from ...models import Confidence, Finding, Severity
from ...parsing import SourceFile, line_of, walk
from .js_reshaped_tests import moved_to_new_test, tabled
from .skip_reasons import announced_change, stated_change, stated_confidence


def _rule(name: str, summary: str, severity: Severity = Severity.WARNING, confidence: Confidence = "high") -> Rule:
    return Rule(id=f"js.test-tampering.{name}", category="test-tampering", languages=LANGUAGES,
                severity=severity, summary=summary, confidence=confidence)


WEAKENED = _rule("weakened-assertion", "An exact `expect` matcher of an existing test is replaced by a weaker one")
REMOVED = _rule("removed-assertion", "An existing test asserts less than before: an `expect` was removed")
ALWAYS_TRUE = _rule("always-true-assertion", "A test assertion that can never fail")
# A changed expectation is a question for the reviewer (was the behaviour change intended?), not a
# defect in itself: notice, so it never fails a check on its own.
VALUE_CHANGED = _rule("expected-value-changed",
                      "An expected value changed alongside the code under test, with no stated behaviour change",
                      Severity.NOTICE, "low")
SNAPSHOT = _rule("snapshot-updated",
                 "A snapshot is rewritten alongside the code under test, with no stated behaviour change",
                 Severity.NOTICE, "low")

_RANK = {"eq": 3, "approx": 3, "rel": 2, "in": 2, "ne": 2, "isinstance": 2, "not-none": 1, "truthy": 1,
         "called": 1}
_NUMBER = re.compile(r"\d+(?:\.\d*)?(?:[eE][-+]?\d+)?")
_INLINE = frozenset({"toMatchInlineSnapshot", "toThrowErrorMatchingInlineSnapshot"})


def _view(block: Block) -> Test:
    return Test(f"'{block.title}'", block.qualname, block.node, block.node, block.body, block)


class JsAssertions:
    weakened = WEAKENED
    removed = REMOVED
    always_true = ALWAYS_TRUE
    value_changed = VALUE_CHANGED
    snapshot = SNAPSHOT
    grouped = False
    comment = "//"
    comment_width = 40
    tail = 0

    def files(self, ctx: ChangeContext) -> list[FileContext]:
        return [f for f in ctx.files if f.language in LANGUAGES and f.head is not None
                and is_test_path(f.path) and (f.diff.added or f.diff.removed)]

    def other_files(self, ctx: ChangeContext) -> bool:
        return any(_snapshot(f) for f in ctx.files)

    def facts(self, ctx: ChangeContext) -> ChangeFacts:
        return ChangeFacts(gone=removed_definitions(ctx.files), flag_values=source_changed(ctx.files),
                           described=announced_change(ctx.repo, ctx.intent, "js"),
                           migrating=announces_migration(ctx.intent))

    def base(self, f: FileContext) -> SourceFile | None:
        return base_version(f)

    def tests(self, src: SourceFile | None) -> list[Test]:
        return [_view(b) for b in tests_only(blocks(src))]

    def checks(self, src: SourceFile, test: Test) -> list[Check]:
        return checks(src, test.body) if test.body is not None else []

    def never_fails(self, ctx: FileContext, src: SourceFile, test: Test) -> Iterator[Finding]:
        if test.body is None:
            return
        for node in walk(test.body):
            if line_of(node) not in ctx.diff.added:
                continue
            if node.type == "expression_statement" and _bare_expect(src, node):
                yield ctx.finding(ALWAYS_TRUE, node, f"`{text_of(src, node).strip()}` in {test.label} asserts "
                                  "nothing (no matcher is called): add the matcher with the expected value.")
            elif node.type == "catch_clause" and _swallows(src, node):
                yield ctx.finding(ALWAYS_TRUE, node, f"{test.label} catches the assertion error and carries on, "
                                  "so it can never fail: let the assertion fail.", end=line_of(node))
        yield from _early_return(ctx, src, test)

    def keeps(self, base: SourceFile, head: SourceFile, pair: Pair[Check], before: Sequence[Check],
              after: Sequence[Check], spare: list[Check], facts: ChangeFacts) -> bool:
        return (_translated(before, after, facts.migrating) and self.absorbs(base, head, pair.base, spare)) \
            or _still_exact(pair, after)

    def rewritten(self, before: Sequence[Check], after: Sequence[Check], facts: ChangeFacts) -> bool:
        return _translated(before, after, facts.migrating) and bool(after)

    def helpers(self, src: SourceFile, test: Test) -> list[Check]:
        return []

    def explained(self, ctx: FileContext, old: Test, new: Test, check: Check, fresh: list[Check],
                  after: Sequence[Check], facts: ChangeFacts) -> bool:
        """The lost assertion checked a name the change removes from the source, or a value only
        removed code set, or it now runs over a table of cases or in a test the change adds."""
        base, head = ctx.base, ctx.head
        assert base is not None and head is not None
        feature = facts.gone | fed_by_removed(base, old.body, ctx.diff.removed, facts.gone)
        return bool(identifiers(base, check.node) & feature) or tabled(base, _block(old), check, head, _block(new)) \
            or moved_to_new_test(base, check, head)

    def absorbs(self, base: SourceFile, head: SourceFile, check: Check, spare: list[Check]) -> bool:
        # `expect` and the matcher name are the frame of every assertion, not what it looks at
        return absorbed(identifiers(base, check.node) - {"expect", check.matcher},
                        [identifiers(head, h.node) for h in spare])

    identifiers = staticmethod(identifiers)
    norm = staticmethod(norm)

    def dropped_cases(self, ctx: FileContext, old: Test, new: Test) -> Iterator[Finding]:
        return iter(())

    def weakening(self, base: SourceFile, head: SourceFile, old: Check, new: Check) -> str:
        """Why `new` asserts less than `old`, or ''."""
        if old.kind == "raises" and new.kind == "raises":
            if old.expected and not new.expected:
                said = text_of(base, old.expected_node) or old.expected
                return f"`{new.matcher}()` now accepts any error instead of `{said}`"
            return ""
        if old.matcher.endswith("CalledWith") and new.kind == "called" and not new.negated:
            return f"`{new.matcher}` no longer checks the arguments that `{old.matcher}` checked"
        if old.kind == "eq" and new.kind == "approx":
            return f"an exact `{old.matcher}` now passes within a `{new.matcher}` tolerance"
        if old.kind == "snapshot" or new.kind in ("snapshot", "other", "const", "raises"):
            return ""
        rank_old, rank_new = _RANK.get(old.kind), _RANK.get(new.kind)
        if rank_old == 3 and rank_new is not None and rank_new < 3:
            return f"the exact `{old.matcher}` check was replaced by `{'not.' if new.negated else ''}{new.matcher}`"
        if old.kind in ("rel", "in", "isinstance", "ne") and new.kind in ("truthy", "not-none", "called"):
            return f"`{old.matcher}` was reduced to `{'not.' if new.negated else ''}{new.matcher}`"
        return ""

    def question(self, base: SourceFile, head: SourceFile, old: Check, new: Check) -> str:
        return ""  # every JS weakening is reported as one

    def same_target(self, old: Check, new: Check) -> bool:
        return old.subject == new.subject and old.matcher == new.matcher

    def rerecorded(self, ctx: FileContext, test: Test, old: Check, new: Check,
                   facts: ChangeFacts) -> Finding | None:
        if old.matcher not in _INLINE or old.expected == new.expected:
            return None
        return ctx.finding(SNAPSHOT, new.node, f"The inline snapshot of {test.label} is rewritten while the "
                           f"code under test changed and {stated_change(facts.described, 'output')}: fix the "
                           "code or describe the change.", end=line_of(new.node),
                           confidence=stated_confidence(facts.described))

    def is_literal(self, src: SourceFile, node: Node | None) -> bool:
        return is_literal(node)

    def same_value(self, old: str, new: str) -> bool:
        if old == new:
            return True
        a, b = _NUMBER.findall(old), _NUMBER.findall(new)
        return len(a) == len(b) == 1 and float(a[0]) == float(b[0]) and re.sub(_NUMBER, "", old) == re.sub(
            _NUMBER, "", new)

    def change_findings(self, ctx: ChangeContext, facts: ChangeFacts) -> Iterator[Finding]:
        """A stored snapshot whose recorded value the change rewrites (new entries are fine)."""
        if not facts.flag_values:
            return
        for f in ctx.files:
            if not _snapshot(f):
                continue
            for hunk in f.diff.hunks:
                if hunk.removed and hunk.added and any(line.strip() for line in hunk.removed):
                    yield f.finding(SNAPSHOT, hunk.new_start,
                                    f"Snapshot `{f.path}` is re-recorded while the code under test changed and "
                                    f"{stated_change(facts.described, 'output')}: check the new output is "
                                    "intended, fix the code or describe the change.",
                                    confidence=stated_confidence(facts.described))
                    break


JS = JsAssertions()


def _block(test: Test) -> Block:
    assert isinstance(test.raw, Block)
    return test.raw


def _snapshot(f: FileContext) -> bool:
    return f.path.endswith(".snap") and f.diff.status == "modified"


def _bare_expect(src: SourceFile, stmt: Node) -> bool:
    expr = stmt.named_children[0] if stmt.named_children else None
    if expr is not None and expr.type == "await_expression" and expr.named_children:
        expr = expr.named_children[0]
    return expr is not None and expr.type == "call_expression" and chain(
        src, expr.child_by_field_name("function")) == ["expect"]


def _swallows(src: SourceFile, clause: Node) -> bool:
    """A catch block around assertions that neither rethrows nor fails nor asserts."""
    try_stmt = clause.parent
    body = try_stmt.child_by_field_name("body") if try_stmt is not None else None
    if body is None or not checks(src, body):
        return False
    block = clause.child_by_field_name("body")
    if block is None:
        return False
    for n in walk(block):
        if n.type == "throw_statement":
            return False
        if n.type == "call_expression":
            names = chain(src, n.child_by_field_name("function"))
            if names and (names[0] in ("expect", "assert", "fail", "done") or names[-1] == "fail"):
                return False
    return True


def _early_return(ctx: FileContext, src: SourceFile, test: Test) -> Iterator[Finding]:
    """An added unconditional `return` that skips the assertions after it."""
    body = test.body.child_by_field_name("body") if test.body is not None else None
    if body is None or body.type != "statement_block":
        return
    statements = [c for c in body.named_children if c.type != "comment"]
    for i, stmt in enumerate(statements):
        if stmt.type == "return_statement" and ctx.changed(stmt) and not stmt.named_children \
                and any(checks(src, later) for later in statements[i + 1:]):
            yield ctx.finding(ALWAYS_TRUE, stmt, f"{test.label} returns before its assertions run, so it "
                              "can never fail: remove the early return.")
            return


def _still_exact(pair: Pair[Check], after: Sequence[Check]) -> bool:
    """The test still checks the same value exactly (an `expect(x).toBeDefined()` added to narrow a
    type beside a kept `toEqual`/snapshot of `x`): nothing was replaced."""
    subject = pair.base.subject
    return bool(subject) and any(
        h is not pair.head and h.kind in ("eq", "approx", "snapshot") and not h.negated
        and (h.subject == subject or h.subject.startswith(subject + ".") or subject.startswith(h.subject + "."))
        for h in after)


def _translated(before: Sequence[Check], after: Sequence[Check], migrating: bool) -> bool:
    """The test now asserts with another library (`expect(...)` -> `assert.*`, or back), or the
    description announces a move to another test runner and the test's assertions were rewritten."""
    old_styles = {c.style for c in before}
    new_styles = {c.style for c in after}
    if old_styles and new_styles and old_styles.isdisjoint(new_styles):
        return True
    return migrating and bool(before) and bool(after)
