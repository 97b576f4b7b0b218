"""Assertions of existing tests removed, weakened, made always-true or bent to a new value.

## What it does
Compares each changed test with its base version and flags:
- an exact comparison replaced by a weaker check (`assert total > subtotal` for
  `assert total == Decimal("209.34")`, `assertTrue(x)`/`assertIsNotNone(x)` for `assertEqual`,
  a `pytest.approx` tolerance added or raised, `pytest.raises(Exception)` for a specific error, a
  mock call check that no longer checks the arguments) (`weakened-assertion`);
- fewer assertions than before (`removed-assertion`, on the removed base line), unless the lost
  assertion checked a function, class or parameter the change removes from the source;
- an assertion that can never fail (`assert True`, `assert x or True`, `except AssertionError: pass`)
  (`always-true-assertion`);
- an expected literal changed in a PR that also changes the code under test, while the description
  does not say that the behaviour changes (`expected-value-changed`).

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
from collections import Counter
from collections.abc import Iterable, Iterator

from tree_sitter import Node

from ...analysis.assertions import Pair, match_checks
from ...detector import ChangeContext, Detector, FileContext, Rule
from ...lang.python.assertion_checks import Check, checks, is_literal
from ...lang.python.testing import (
    TestFunc,
    call_args,
    dotted_name,
    identifiers,
    is_test_path,
    norm,
    removed_definitions,
    test_functions,
    text_of,
)
from ...models import Confidence, Finding, Severity
from ...parsing import SourceFile, end_line_of, line_of, walk
from .python_assertion_sources import (
    column_merged,
    deprecated_definitions,
    fed_by_removed,
    helper_checks,
    parameter_uses,
    removed_defaults,
    removed_parameters,
    tolerance,
    value_inputs,
    widened,
)

WEAKENED = Rule(
    id="python.test-tampering.weakened-assertion",
    category="test-tampering",
    languages=("python",),
    severity=Severity.WARNING,
    summary="An exact assertion of an existing test is replaced by a weaker check",
)
REMOVED = Rule(
    id="python.test-tampering.removed-assertion",
    category="test-tampering",
    languages=("python",),
    severity=Severity.WARNING,
    summary="An existing test asserts less than before: an assertion was removed",
)
ALWAYS_TRUE = Rule(
    id="python.test-tampering.always-true-assertion",
    category="test-tampering",
    languages=("python",),
    severity=Severity.WARNING,
    summary="A test assertion that can never fail",
)
VALUE_CHANGED = Rule(
    id="python.test-tampering.expected-value-changed",
    category="test-tampering",
    languages=("python",),
    # a question for the reviewer (was the behaviour change intended?), not a defect in itself
    severity=Severity.NOTICE,
    summary="An expected value in a test changed alongside the code under test, with no stated behaviour change",
    confidence="low",
)

_RANK = {"eq": 3, "approx": 3, "in": 2, "rel": 2, "ne": 2, "isinstance": 2, "not-none": 1, "truthy": 1}
_KINDS = {"rel": "relational", "in": "containment", "ne": "not-equal", "isinstance": "type-only",
          "not-none": "not-None", "truthy": "truthiness"}
_BROAD = frozenset({"", "Exception", "BaseException", "(Exception,)", "Warning"})
_MOCK_STRONG = ("assert_called_once_with", "assert_called_with", "assert_has_calls", "assert_any_call",
                "assert_awaited_once_with", "assert_awaited_with")
_MOCK_WEAK = ("assert_called", "assert_called_once", "assert_awaited", "assert_awaited_once")
_BEHAVIOUR = re.compile(
    r"no longer|instead of|\bnow (returns?|reports?|rounds?|uses?|raises?|yields?|gives?|shows?|computes?|"
    r"includes?|excludes?|accepts?|rejects?|treats?|counts?|sorts?|applies|checks?|charges?|calculates?|"
    r"formats?|stores?|keeps?|drops?|ignores?|truncates?|expires?)\b|"
    r"\bchang(e|es|ed|ing) (the )?(default|behaviou?r|format|rounding|output|semantics|result)|"
    r"behaviou?r(al)? change|breaking change|\bfix(es|ed)?\b|\bbug\b|was wrong|incorrect|"
    r"expected (values?|outputs?|results?)|tests? (are |were )?updated|update[sd]? (the )?tests?",
    re.IGNORECASE,
)
_NO_CHANGE = re.compile(
    r"no (behaviou?r(al)?|functional|user[- ]visible) changes?|pure refactor|naming[- ]only|"
    r"behaviou?r (is )?unchanged|does not change (the )?behaviou?r",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z_]\w*")
_NUMBER = re.compile(r"\d+(?:\.\d*)?(?:[eE][-+]?\d+)?")


class PythonWeakenedAssertion(Detector):
    rules = (WEAKENED, REMOVED, ALWAYS_TRUE, VALUE_CHANGED)

    def check_change(self, ctx: ChangeContext) -> Iterable[Finding]:
        tests = [f for f in ctx.files if f.language == "python" and f.head is not None
                 and is_test_path(f.path) and f.diff.added | f.diff.removed]
        if not tests:
            return
        gone = removed_definitions(ctx.files) | removed_defaults(ctx.files)
        params = removed_parameters(ctx.files)
        source_changed = any(f.language == "python" and not is_test_path(f.path) for f in ctx.files)
        described = _describes_change(ctx.intent)
        deprecated = deprecated_definitions(ctx.files)
        for f in tests:
            yield from _check_file(f, gone, source_changed, described, (deprecated, params))


def _describes_change(intent: str) -> str:
    """The words with which the description announces a behaviour change ("fixes", "now returns"),
    or ''. They lower the confidence of a changed expected value; they do not hide it."""
    m = _BEHAVIOUR.search(intent)
    return m.group(0) if m and not _NO_CHANGE.search(intent) else ""


def _check_file(ctx: FileContext, gone: set[str], flag_values: bool, described: str = "",
                changed: tuple[set[str], set[str]] = (set(), set())) -> Iterator[Finding]:
    head = ctx.head
    assert head is not None
    base = ctx.base if ctx.diff.old_path else None
    base_tests = {t.qualname: t for t in test_functions(base)}
    for test in test_functions(head):
        old = base_tests.get(test.qualname)
        if not ctx.changed(test.outer) and not (old is not None and _lost_lines(ctx, old)):
            continue
        yield from _always_true(ctx, head, test)
        if old is None or base is None:
            continue
        yield from _compare(ctx, base, head, old, test, gone, flag_values, described, changed)


def _lost_lines(ctx: FileContext, test: TestFunc) -> bool:
    removed = ctx.diff.removed
    return any(n in removed for n in range(line_of(test.outer), end_line_of(test.node) + 1))


def _always_true(ctx: FileContext, src: SourceFile, test: TestFunc) -> Iterator[Finding]:
    for check in checks(src, test.node):
        if not ctx.changed(check.node):
            continue
        if check.kind == "const" or (check.kind == "eq" and check.subject and check.subject == check.expected):
            yield ctx.finding(ALWAYS_TRUE, check.node,
                              f"Assertion in `{test.name}` can never fail: assert the actual expected value.",
                              end=line_of(check.node))
    body = test.node.child_by_field_name("body")
    if body is None:
        return
    yield from _early_return(ctx, src, test, body)
    for node in walk(body):
        if node.type == "except_clause" and ctx.changed(node) and _swallows_assertion(src, node):
            yield ctx.finding(ALWAYS_TRUE, node,
                              f"`{test.name}` catches AssertionError and carries on, so it can never fail: "
                              "let the assertion fail.", end=line_of(node))


def _early_return(ctx: FileContext, src: SourceFile, test: TestFunc, body: Node) -> Iterator[Finding]:
    """An added unconditional `return` that skips the assertions after it."""
    statements = [c for c in body.named_children if c.type != "comment"]
    for i, stmt in enumerate(statements):
        if stmt.type == "return_statement" and ctx.changed(stmt) and any(
                checks_in(src, later) for later in statements[i + 1:]):
            yield ctx.finding(ALWAYS_TRUE, stmt, f"`{test.name}` returns before its assertions run, so it can "
                              "never fail: remove the early return.")
            return


def checks_in(src: SourceFile, node: Node) -> bool:
    return any(n.type == "assert_statement" or (n.type == "call" and "assert" in dotted_name(src, n).lower())
               for n in walk(node))


def _swallows_assertion(src: SourceFile, node: Node) -> bool:
    caught = " ".join(text_of(src, c) for c in node.named_children if c.type != "block")
    if "AssertionError" not in caught:
        return False
    block = next((c for c in node.named_children if c.type == "block"), None)
    if block is None:
        return False
    return not any(n.type in ("raise_statement", "call") and (
        n.type == "raise_statement" or dotted_name(src, n) in ("pytest.fail", "self.fail"))
        for n in walk(block))


def _compare(ctx: FileContext, base: SourceFile, head: SourceFile, old: TestFunc, new: TestFunc,
             gone: set[str], flag_values: bool, described: str,
             changed: tuple[set[str], set[str]]) -> Iterator[Finding]:
    deprecated, params = changed  # functions the change deprecates; parameters it removes from signatures
    before = checks(base, old.node)
    after = checks(head, new.node)
    lost, fresh, pairs = match_checks(ctx.diff, before, after, _comparable)
    paired = {id(p.base) for p in pairs}
    for pair in pairs:
        if not widened(base, head, pair.base, pair.head):
            yield from _judge_pair(ctx, base, head, new, pair, flag_values, described)
    # assertions moved into (or kept in) a helper of the module that the test calls still count
    moved = helper_checks(head, new)
    kept = {(c.kind, c.subject, c.expected) for c in moved}
    budget = len(before) + len(helper_checks(base, old)) - len(after) - len(moved)
    spare = [h for h in fresh if h.kind in ("eq", "approx")]
    raisers = [h for h in fresh if h.kind == "raises"]
    # an assertion on a name the change removes from the source, or on a value only removed code set
    feature = gone | fed_by_removed(base, old, ctx.diff.removed, gone)
    candidates = [c for c in lost if not (
        id(c) in paired or value_inputs(base, old, c) & feature or parameter_uses(base, c.node) & params
        or _absorbed(base, head, c, spare) or column_merged(base, old, c, head, new, after)
        or _now_raises(head, new, c, raisers) or (c.kind, c.subject, c.expected) in kept)]
    # report first what no head assertion of the test (or its helpers) mentions any more
    still = {w for c in after + moved for w in _WORD.findall(head.node_text(c.node))}
    candidates.sort(key=lambda c: not set(_WORD.findall(c.subject)) - still)
    dropped = candidates[:max(budget, 0)]
    if dropped:
        yield _removed(ctx, base, head, new, sorted(dropped, key=lambda c: c.line), deprecated)
    yield from _dropped_params(ctx, base, head, old, new)


def _removed(ctx: FileContext, base: SourceFile, head: SourceFile, test: TestFunc, dropped: list[Check],
             deprecated: set[str]) -> Finding:
    """One finding for every assertion `test` lost: on the first, naming the base lines of the others.
    Low confidence when every lost assertion uses a function the change deprecates (it now warns)."""
    first = dropped[0]
    warned = sorted(set.intersection(*(identifiers(base, c.node) for c in dropped)) & deprecated)
    more = ""
    if len(dropped) > 1:
        lines = ", ".join(str(c.line) for c in dropped[1:])
        plural = "s" if len(dropped) > 2 else ""
        more = f" (nor {len(dropped) - 1} more assertion{plural}: base line{plural} {lines})"
    message = (f"`{test.name}` no longer asserts `{_short(base, first)}`{more}: keep the assertion and fix "
               "the code, or explain the behaviour change.")
    confidence: Confidence | None = None
    if warned:
        confidence = "low"
        message += (f" The change deprecates `{warned[0]}` (it now emits a deprecation warning): keep testing it "
                    "under `pytest.deprecated_call()` until it is removed.")
    commented = _commented_out(ctx, head, test, base.node_text(first.node))
    if commented:
        return ctx.finding(REMOVED, commented, message, confidence=confidence)
    return ctx.finding(REMOVED, first.node, message, end=line_of(first.node), side="LEFT", confidence=confidence)


def _absorbed(base: SourceFile, head: SourceFile, check: Check, spare: list[Check]) -> bool:
    """True when a new exact check covers everything `check` looked at (assertions merged into one)."""
    mine = identifiers(base, check.node) - {"self"}
    return bool(mine) and any(mine <= identifiers(head, h.node) for h in spare)


def _now_raises(head: SourceFile, test: TestFunc, check: Check, raisers: list[Check]) -> bool:
    """Checks on a captured outcome (`result.exception`, `excinfo.value`) replaced by a new
    `pytest.raises`/`pytest.warns` block: the outcome variable is gone from the test."""
    root = re.match(r"[A-Za-z_]\w*", check.subject or "")
    return bool(raisers) and root is not None and root.group(0) not in identifiers(head, test.node)


def _commented_out(ctx: FileContext, head: SourceFile, test: TestFunc, code: str) -> int:
    """The added head line inside `test` where `code` now sits commented out, or 0."""
    first = norm(code.splitlines()[0]) if code else ""
    if not first:
        return 0
    for n in range(line_of(test.outer), end_line_of(test.node) + 3):
        text = head.line_text(n).strip()
        if n in ctx.diff.added and text.startswith("#") and norm(text.lstrip("#")).startswith(first):
            return n
    return 0


def _dropped_params(ctx: FileContext, base: SourceFile, head: SourceFile, old: TestFunc,
                    new: TestFunc) -> Iterator[Finding]:
    """Cases removed from a `pytest.mark.parametrize` list of an existing test."""
    before = _param_rows(base, old)
    after = _param_rows(head, new)
    if not before or len(after) >= len(before):
        return
    remaining = Counter(norm(text_of(head, r)) for r in after)
    for row in before:
        key = norm(text_of(base, row))
        if remaining[key] > 0:
            remaining[key] -= 1
            continue
        if line_of(row) in ctx.diff.removed:
            yield ctx.finding(REMOVED, row, f"A case was removed from the parametrize list of `{new.name}`: "
                              "keep it and fix the code, or explain the behaviour change.",
                              end=line_of(row), side="LEFT")
            return


def _param_rows(src: SourceFile, test: TestFunc) -> list[Node]:
    for dec in test.decorators:
        call = dec.named_children[0] if dec.named_children else None
        if call is None or call.type != "call" or not dotted_name(src, call).endswith("parametrize"):
            continue
        positional, keywords = call_args(call)
        values = keywords.get("argvalues") or (positional[1] if len(positional) > 1 else None)
        if values is not None and values.type in ("list", "tuple"):
            return [c for c in values.named_children if c.type != "comment"]
    return []


def _comparable(old: Check, new: Check) -> bool:
    return (old.kind == "raises") == (new.kind == "raises") and (old.kind == "mock") == (new.kind == "mock")


def _judge_pair(ctx: FileContext, base: SourceFile, head: SourceFile, test: TestFunc, pair: Pair[Check],
                flag_values: bool, described: str = "") -> Iterator[Finding]:
    old, new = pair.base, pair.head
    why = _weakening(base, head, old, new)
    if why:
        yield ctx.finding(WEAKENED, new.node,
                          f"`{test.name}`: {why}; keep the exact assertion and fix the code instead.",
                          end=line_of(new.node))
        return
    if (flag_values and old.kind == new.kind == "eq" and old.subject == new.subject
            and is_literal(base, old.expected_node) and is_literal(head, new.expected_node)
            and not _same_value(old.expected, new.expected)
            and not _mentioned(ctx.intent, text_of(head, new.expected_node))):
        stated = (f"the description says \"{described}\" but does not state this value" if described
                  else "the description states no behaviour change")
        yield ctx.finding(VALUE_CHANGED, new.node,
                          f"`{test.name}` now expects `{text_of(head, new.expected_node)}` instead of "
                          f"`{text_of(base, old.expected_node)}` while the code under test changed and {stated}: "
                          "fix the code or describe the change.",
                          end=line_of(new.node), confidence="low" if described else None)


def _mentioned(intent: str, literal: str) -> bool:
    """True when the description quotes the new expected value (a number or a string in it)."""
    values = _NUMBER.findall(literal) + re.findall(r"[\"']([^\"']{3,})[\"']", literal)
    return any(len(v) > 1 and re.search(r"(?<![\w.])" + re.escape(v) + r"(?![\w])", intent) for v in values)


def _same_value(old: str, new: str) -> bool:
    """Equal texts, or the same single number written differently (`Decimal("2")` and `2.0`)."""
    if old == new:
        return True
    a, b = _NUMBER.findall(old), _NUMBER.findall(new)
    return len(a) == len(b) == 1 and float(a[0]) == float(b[0])


def _weakening(base: SourceFile, head: SourceFile, old: Check, new: Check) -> str:
    """Why `new` asserts less than `old`, or ''."""
    if old.kind == "raises" and new.kind == "raises":
        if old.expected not in _BROAD and new.expected in _BROAD:
            return f"`pytest.raises({new.expected or '...'})` now accepts any error instead of `{old.expected}`"
        if old.expected == new.expected and "match" in old.text and "match" not in new.text:
            return f"the error message of `{old.expected}` is no longer checked"
        return ""
    if old.kind == "mock" and new.kind == "mock":
        if old.expected in _MOCK_STRONG and new.expected in _MOCK_WEAK:
            return f"`{new.expected}` no longer checks the call arguments that `{old.expected}` checked"
        return ""
    if old.kind == "eq" and new.kind == "approx":
        return "an exact comparison now passes within a `pytest.approx` tolerance"
    if old.kind == "approx" and new.kind == "approx":
        if tolerance(base, old) < tolerance(head, new):
            return "the `approx` tolerance was raised"
        return ""
    rank_old, rank_new = _RANK.get(old.kind), _RANK.get(new.kind)
    if rank_old is not None and rank_new is not None and rank_new < rank_old and rank_old == 3:
        return f"an exact comparison was replaced by a {_KINDS.get(new.kind, new.kind)} check"
    if old.kind in ("rel", "in", "isinstance", "ne") and new.kind in ("truthy", "not-none"):
        return f"the check was reduced to a {_KINDS.get(new.kind, new.kind)} check"
    return ""


def _short(src: SourceFile, check: Check) -> str:
    text = " ".join(text_of(src, check.node).split())
    return text if len(text) <= 80 else text[:77] + "..."
