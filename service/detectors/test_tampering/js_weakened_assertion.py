"""JavaScript/TypeScript `expect` assertions removed, weakened, made always-true or bent.

## What it does
Compares each changed test (`it`/`test` block of a `*.test.*`/`*.spec.*` file) with its base
version and flags:
- an exact matcher (`toBe`, `toEqual`, `toStrictEqual`, `toHaveBeenCalledWith` ...) replaced by a
  weaker one (`toBeTruthy`, `toBeDefined`, `not.toBeNull`, `toBeGreaterThan`, `toContain`,
  `toHaveBeenCalled`), `toThrow()` without an argument replacing `toThrow(SpecificError)` or
  `toThrow('message')`, `toBeCloseTo` for an exact value (`weakened-assertion`);
- fewer `expect` calls than before (`removed-assertion`, on the removed base line, or on the line
  where the assertion now sits commented out);
- an assertion that can never fail (`expect(true).toBe(true)`, `expect(x).toBe(x)`, a bare
  `expect(x)` without a matcher, a `return` before the assertions, a `catch` that swallows the
  assertion error) (`always-true-assertion`);
- an expected literal changed, or a snapshot (`__snapshots__/*.snap`, `toMatchInlineSnapshot`)
  rewritten, in a PR that also changes the code under test while the description does not say
  that the behaviour changes (`expected-value-changed`, `snapshot-updated`).

## Why is this bad?
When the code breaks a test, the quickest way to a green build is to make the test ask less or
to re-record what the code now does. The suite still runs and the regression ships.

## Example
```ts
-    expect(totals.totalCents).toBe(10_804);
+    expect(totals.totalCents).toBeTruthy();
```

## Use instead
Keep the exact assertion and fix the code, or, when the behaviour change is intended, update the
expected value and say so in the PR description.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from tree_sitter import Node

from ...analysis.assertions import Pair, match_checks
from ...detector import ChangeContext, Detector, FileContext, Rule
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
from ...parsing import SourceFile, end_line_of, line_of, walk


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
_BEHAVIOUR = re.compile(
    r"no longer|instead of|\bnow (\w+ )?(returns?|reports?|rounds?|uses?|throws?|rejects?|accepts?|"
    r"includes?|excludes?|treats?|counts?|sorts?|applies|charges?|computes?|calculates?|formats?|"
    r"renders?|shows?|displays?|emits?|sends?|keeps?|drops?|ignores?|truncates?|expires?|gives?)\b|"
    r"\bchang(e|es|ed|ing) (the )?(default|behaviou?r|format|rounding|output|semantics|result|markup)|"
    r"behaviou?r(al)? change|breaking change|\bfix(es|ed)?\b|\bbug\b|was wrong|incorrect|"
    r"(snapshots?|expected values?|tests?) (are |were )?(updated|regenerated|re-?recorded)|"
    r"updated? (the )?(snapshots?|tests?|expected)",
    re.IGNORECASE,
)
_NO_CHANGE = re.compile(
    r"no (behaviou?r(al)?|functional|user[- ]visible) changes?|pure refactor|"
    r"behaviou?r (is )?unchanged|does not change (the )?behaviou?r",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\d+(?:\.\d*)?(?:[eE][-+]?\d+)?")
_INLINE = frozenset({"toMatchInlineSnapshot", "toThrowErrorMatchingInlineSnapshot"})


class JsWeakenedAssertion(Detector):
    rules = (WEAKENED, REMOVED, ALWAYS_TRUE, VALUE_CHANGED, SNAPSHOT)

    def check_change(self, ctx: ChangeContext) -> Iterable[Finding]:
        tests = [f for f in ctx.files if f.language in LANGUAGES and f.head is not None
                 and is_test_path(f.path) and (f.diff.added or f.diff.removed)]
        snaps = [f for f in ctx.files if f.path.endswith(".snap") and f.diff.status == "modified"]
        if not tests and not snaps:
            return
        unexplained = source_changed(ctx.files) and not _describes_change(ctx.intent)
        gone = removed_definitions(ctx.files)
        migrating = announces_migration(ctx.intent)
        for f in tests:
            yield from _check_file(f, gone, unexplained, migrating)
        if unexplained:
            for f in snaps:
                yield from _snapshot_file(f)


def _describes_change(intent: str) -> bool:
    return bool(_BEHAVIOUR.search(intent)) and not _NO_CHANGE.search(intent)


def _check_file(ctx: FileContext, gone: set[str], flag_values: bool, migrating: bool = False) -> Iterator[Finding]:
    head = ctx.head
    assert head is not None
    base = base_version(ctx)
    before = {b.qualname: b for b in tests_only(blocks(base))}
    for test in tests_only(blocks(head)):
        old = before.get(test.qualname)
        if not ctx.changed(test.node) and not (old is not None and _lost_lines(ctx, old)):
            continue
        yield from _always_true(ctx, head, test)
        if old is None or base is None:
            continue
        yield from _compare(ctx, base, head, old, test, gone, flag_values, migrating)


def _lost_lines(ctx: FileContext, test: Block) -> bool:
    removed = ctx.diff.removed
    return any(n in removed for n in range(line_of(test.node), end_line_of(test.node) + 1))


def _always_true(ctx: FileContext, src: SourceFile, test: Block) -> Iterator[Finding]:
    if test.body is None:
        return
    for check in checks(src, test.body):
        if line_of(check.node) not in ctx.diff.added:
            continue
        if check.kind == "const" or (check.kind == "eq" and check.subject and check.subject == check.expected):
            yield ctx.finding(ALWAYS_TRUE, check.node,
                              f"Assertion in '{test.title}' can never fail: assert the actual expected value.",
                              end=line_of(check.node))
    for node in walk(test.body):
        if line_of(node) not in ctx.diff.added:
            continue
        if node.type == "expression_statement" and _bare_expect(src, node):
            yield ctx.finding(ALWAYS_TRUE, node, f"`{text_of(src, node).strip()}` in '{test.title}' asserts "
                              "nothing (no matcher is called): add the matcher with the expected value.")
        elif node.type == "catch_clause" and _swallows(src, node):
            yield ctx.finding(ALWAYS_TRUE, node, f"'{test.title}' catches the assertion error and carries on, "
                              "so it can never fail: let the assertion fail.", end=line_of(node))
    yield from _early_return(ctx, src, test)


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


def _early_return(ctx: FileContext, src: SourceFile, test: Block) -> Iterator[Finding]:
    """An added unconditional `return` that skips the assertions after it."""
    body = test.body.child_by_field_name("body") if test.body is not None else None
    if body is None or body.type != "statement_block":
        return
    statements = [c for c in body.named_children if c.type != "comment"]
    for i, stmt in enumerate(statements):
        if stmt.type == "return_statement" and ctx.changed(stmt) and not stmt.named_children \
                and any(checks(src, later) for later in statements[i + 1:]):
            yield ctx.finding(ALWAYS_TRUE, stmt, f"'{test.title}' returns before its assertions run, so it "
                              "can never fail: remove the early return.")
            return


def _compare(ctx: FileContext, base: SourceFile, head: SourceFile, old: Block, new: Block,
             gone: set[str], flag_values: bool, migrating: bool = False) -> Iterator[Finding]:
    before = checks(base, old.body)
    after = checks(head, new.body)
    lost, fresh, pairs = match_checks(ctx.diff, before, after, _comparable)
    paired = {id(p.base) for p in pairs}
    translated = _translated(before, after, migrating)
    spare = [h for h in fresh if h.kind in ("eq", "approx")]
    for pair in pairs:
        if (translated and _absorbed(base, head, pair.base, spare)) or _still_exact(pair, after):
            continue
        yield from _judge_pair(ctx, base, head, new, pair, flag_values)
    if translated and after:
        return  # one assertion of one library rarely maps to exactly one of the other: counts differ
    budget = len(before) - len(after)
    # an assertion on a name the change removes from the source, or on a value only removed code set
    feature = gone | fed_by_removed(base, old.body, ctx.diff.removed, gone)
    for check in lost:
        if budget <= 0:
            break
        if id(check) in paired or identifiers(base, check.node) & feature or _absorbed(base, head, check, spare):
            continue
        budget -= 1
        message = (f"'{new.title}' no longer asserts `{_short(base, check)}`: keep the assertion and fix "
                   "the code, or explain the behaviour change.")
        commented = _commented_out(ctx, head, new, base.node_text(check.node))
        if commented:
            yield ctx.finding(REMOVED, commented, message)
        else:
            yield ctx.finding(REMOVED, check.node, message, end=line_of(check.node), side="LEFT")


def _still_exact(pair: Pair[Check], after: list[Check]) -> bool:
    """The test still checks the same value exactly (an `expect(x).toBeDefined()` added to narrow a
    type beside a kept `toEqual`/snapshot of `x`): nothing was replaced."""
    subject = pair.base.subject
    return bool(subject) and any(
        h is not pair.head and h.kind in ("eq", "approx", "snapshot") and not h.negated
        and (h.subject == subject or h.subject.startswith(subject + ".") or subject.startswith(h.subject + "."))
        for h in after)


def _translated(before: list[Check], after: list[Check], migrating: bool) -> bool:
    """The test now asserts with another library (`expect(...)` -> `assert.*`, or back), or the
    description announces a move to another test runner and the test's assertions were rewritten."""
    old_styles = {c.style for c in before}
    new_styles = {c.style for c in after}
    if old_styles and new_styles and old_styles.isdisjoint(new_styles):
        return True
    return migrating and bool(before) and bool(after)


def _absorbed(base: SourceFile, head: SourceFile, check: Check, spare: list[Check]) -> bool:
    """True when a new exact check covers everything `check` looked at (assertions merged)."""
    mine = identifiers(base, check.node) - {"expect"} - {check.matcher}
    return bool(mine) and any(mine <= identifiers(head, h.node) for h in spare)


def _commented_out(ctx: FileContext, head: SourceFile, test: Block, code: str) -> int:
    first = norm(code.splitlines()[0]) if code else ""
    if not first:
        return 0
    for n in range(line_of(test.node), end_line_of(test.node) + 1):
        text = head.line_text(n).strip()
        if n in ctx.diff.added and text.startswith("//") and norm(text.lstrip("/")).startswith(first[:40]):
            return n
    return 0


def _comparable(old: Check, new: Check) -> bool:
    return (old.kind == "raises") == (new.kind == "raises")


def _judge_pair(ctx: FileContext, base: SourceFile, head: SourceFile, test: Block, pair: Pair[Check],
                flag_values: bool) -> Iterator[Finding]:
    old, new = pair.base, pair.head
    why = _weakening(old, new, text_of(base, old.expected_node) or old.expected)
    if why:
        yield ctx.finding(WEAKENED, new.node, f"'{test.title}': {why}; keep the exact assertion and fix the "
                          "code instead.", end=line_of(new.node))
        return
    if not flag_values or old.subject != new.subject or old.matcher != new.matcher:
        return
    if old.matcher in _INLINE and old.expected != new.expected:
        yield ctx.finding(SNAPSHOT, new.node, f"The inline snapshot of '{test.title}' is rewritten while the "
                          "code under test changed and the description states no behaviour change: fix the "
                          "code or describe the change.", end=line_of(new.node))
        return
    if (old.kind == new.kind == "eq" and is_literal(old.expected_node) and is_literal(new.expected_node)
            and not _same_value(old.expected, new.expected)
            and not _mentioned(ctx.intent, text_of(head, new.expected_node))):
        yield ctx.finding(VALUE_CHANGED, new.node,
                          f"'{test.title}' now expects `{text_of(head, new.expected_node)}` instead of "
                          f"`{text_of(base, old.expected_node)}` while the code under test changed and the "
                          "description states no behaviour change: fix the code or describe the change.",
                          end=line_of(new.node))


def _weakening(old: Check, new: Check, old_expected: str) -> str:
    """Why `new` asserts less than `old`, or ''."""
    if old.kind == "raises" and new.kind == "raises":
        if old.expected and not new.expected:
            return f"`{new.matcher}()` now accepts any error instead of `{old_expected}`"
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


def _mentioned(intent: str, literal: str) -> bool:
    values = _NUMBER.findall(literal.replace("_", "")) + re.findall(r"[\"'`]([^\"'`]{3,})[\"'`]", literal)
    return any(len(v) > 1 and re.search(r"(?<![\w.])" + re.escape(v) + r"(?![\w])", intent) for v in values)


def _same_value(old: str, new: str) -> bool:
    if old == new:
        return True
    a, b = _NUMBER.findall(old), _NUMBER.findall(new)
    return len(a) == len(b) == 1 and float(a[0]) == float(b[0]) and re.sub(_NUMBER, "", old) == re.sub(
        _NUMBER, "", new)


def _short(src: SourceFile, check: Check) -> str:
    text = " ".join(text_of(src, check.node).split())
    return text if len(text) <= 80 else text[:77] + "..."


def _snapshot_file(f: FileContext) -> Iterator[Finding]:
    """A stored snapshot whose recorded value the change rewrites (new entries are fine)."""
    for hunk in f.diff.hunks:
        if hunk.removed and hunk.added and any(line.strip() for line in hunk.removed):
            yield f.finding(SNAPSHOT, hunk.new_start,
                            f"Snapshot `{f.path}` is re-recorded while the code under test changed and the "
                            "description states no behaviour change: check the new output is intended, "
                            "fix the code or describe the change.")
            return

