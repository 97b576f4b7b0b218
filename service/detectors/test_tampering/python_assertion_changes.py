"""The Python side of the weakened-assertion detector (`weakened_assertion.py`): pytest/unittest
tests, what makes one Python assertion weaker than another, and which changes explain a lost one."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence

from tree_sitter import Node

from ...analysis.assertions import ChangeFacts, Pair, Test, absorbed
from ...detector import ChangeContext, FileContext, Rule
from ...lang.python.assertion_checks import Check, checks, is_literal
from ...lang.python.testing import (
    TestFunc,
    dotted_name,
    identifiers,
    is_test_path,
    norm,
    removed_definitions,
    test_functions,
    text_of,
)
from ...models import Finding, Severity
from ...parsing import SourceFile, line_of, walk
from .python_assertion_sources import (
    column_merged,
    deprecated_definitions,
    fed_by_removed,
    helper_checks,
    parameter_uses,
    removed_defaults,
    removed_parameters,
    tag_to_class,
    tolerance,
    value_inputs,
    widened,
)
from .python_reshaped_tests import folded, moved_to_new_test, param_rows, reparametrized
from .skip_reasons import announced_change

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
_NUMBER = re.compile(r"\d+(?:\.\d*)?(?:[eE][-+]?\d+)?")


def _view(test: TestFunc) -> Test:
    return Test(f"`{test.name}`", test.qualname, test.outer, test.node, test.node, test)


def _branches_merged(check: Check, after: Sequence[Check]) -> bool:
    """The lost assertion repeated the same assertion of another branch of its `if` (`if error:
    assert x != y` / `else: assert x != y`), and the test now makes it once, unconditionally."""
    if not any(c.text == check.text for c in after):
        return False
    branch = check.node.parent
    while branch is not None and branch.type not in ("block",):
        branch = branch.parent
    owner = branch.parent if branch is not None else None
    if owner is not None and owner.type in ("else_clause", "elif_clause"):
        owner = owner.parent
    if owner is None or owner.type != "if_statement":
        return False
    arms = [c for c in owner.named_children if c.type == "block"]
    arms += [b for c in owner.named_children if c.type in ("elif_clause", "else_clause")
             for b in c.named_children if b.type == "block"]
    texts = [{norm((n.text or b"").decode("utf-8", "replace")) for n in walk(a) if n.type == "assert_statement"}
             for a in arms]
    return len(texts) >= 2 and all(check.text in t for t in texts)


def _func(test: Test) -> TestFunc:
    assert isinstance(test.raw, TestFunc)
    return test.raw


class PythonAssertions:
    weakened = WEAKENED
    removed = REMOVED
    always_true = ALWAYS_TRUE
    value_changed = VALUE_CHANGED
    grouped = True
    comment = "#"
    comment_width = 1 << 20
    tail = 2

    def files(self, ctx: ChangeContext) -> list[FileContext]:
        return [f for f in ctx.files if f.language == "python" and f.head is not None
                and is_test_path(f.path) and f.diff.added | f.diff.removed]

    def other_files(self, ctx: ChangeContext) -> bool:
        return False

    def facts(self, ctx: ChangeContext) -> ChangeFacts:
        return ChangeFacts(
            gone=removed_definitions(ctx.files) | removed_defaults(ctx.files),
            flag_values=any(f.language == "python" and not is_test_path(f.path) for f in ctx.files),
            described=announced_change(ctx.repo, ctx.intent, "python"),
            deprecated=deprecated_definitions(ctx.files),
            params=removed_parameters(ctx.files),
        )

    def base(self, f: FileContext) -> SourceFile | None:
        return f.base if f.diff.old_path else None

    def tests(self, src: SourceFile | None) -> list[Test]:
        return [_view(t) for t in test_functions(src)]

    def checks(self, src: SourceFile, test: Test) -> list[Check]:
        return checks(src, test.node)

    def never_fails(self, ctx: FileContext, src: SourceFile, test: Test) -> Iterator[Finding]:
        body = test.node.child_by_field_name("body")
        if body is None:
            return
        yield from _early_return(ctx, src, test, body)
        for node in walk(body):
            if node.type == "except_clause" and ctx.changed(node) and _swallows_assertion(src, node):
                yield ctx.finding(ALWAYS_TRUE, node,
                                  f"{test.label} catches AssertionError and carries on, so it can never fail: "
                                  "let the assertion fail.", end=line_of(node))

    def keeps(self, base: SourceFile, head: SourceFile, pair: Pair[Check], before: Sequence[Check],
              after: Sequence[Check], spare: list[Check], facts: ChangeFacts) -> bool:
        return widened(base, head, pair.base, pair.head)

    def rewritten(self, before: Sequence[Check], after: Sequence[Check], facts: ChangeFacts) -> bool:
        return False

    def helpers(self, src: SourceFile, test: Test) -> list[Check]:
        return helper_checks(src, _func(test))

    def explained(self, ctx: FileContext, old: Test, new: Test, check: Check, fresh: list[Check],
                  after: Sequence[Check], facts: ChangeFacts) -> bool:
        """The lost assertion checked something the change removes from the source, moved into the
        test's parametrize table or into a new exact assertion, or is now a `pytest.raises` block."""
        base, head = ctx.base, ctx.head
        assert base is not None and head is not None
        # an assertion on a name the change removes from the source, or on a value only removed code set
        feature = facts.gone | fed_by_removed(base, _func(old), ctx.diff.removed, facts.gone)
        raisers = [h for h in fresh if h.kind == "raises"]
        return bool(
            value_inputs(base, _func(old), check) & feature or parameter_uses(base, check.node) & facts.params
            or column_merged(base, _func(old), check, head, _func(new), list(after))
            or _now_raises(head, _func(new), check, raisers)
            or reparametrized(base, _func(old), check, head, _func(new), list(after))
            or folded(base, check, head, [h for h in fresh if h.kind in ("eq", "approx")])
            or moved_to_new_test({t.qualname for t in test_functions(base)}, check, head)
            or _branches_merged(check, after))

    def absorbs(self, base: SourceFile, head: SourceFile, check: Check, spare: list[Check]) -> bool:
        return absorbed(identifiers(base, check.node) - {"self"}, [identifiers(head, h.node) for h in spare])

    identifiers = staticmethod(identifiers)
    norm = staticmethod(norm)

    def dropped_cases(self, ctx: FileContext, old: Test, new: Test) -> Iterator[Finding]:
        """Cases removed from a `pytest.mark.parametrize` list of an existing test."""
        base, head = ctx.base, ctx.head
        assert base is not None and head is not None
        before = param_rows(base, _func(old))
        after = param_rows(head, _func(new))
        if not before or len(after) >= len(before):
            return
        remaining = Counter(norm(text_of(head, r)) for r in after)
        for row in before:
            key = norm(text_of(base, row))
            if remaining[key] > 0:
                remaining[key] -= 1
                continue
            if line_of(row) in ctx.diff.removed:
                yield ctx.finding(REMOVED, row, f"A case was removed from the parametrize list of {new.label}: "
                                  "keep it and fix the code, or explain the behaviour change.",
                                  end=line_of(row), side="LEFT")
                return

    def weakening(self, base: SourceFile, head: SourceFile, old: Check, new: Check) -> str:
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
            return "the `approx` tolerance was raised" if tolerance(base, old) < tolerance(head, new) else ""
        rank_old, rank_new = _RANK.get(old.kind), _RANK.get(new.kind)
        if rank_old is not None and rank_new is not None and rank_new < rank_old and rank_old == 3:
            return f"an exact comparison was replaced by a {_KINDS.get(new.kind, new.kind)} check"
        if old.kind in ("rel", "in", "isinstance", "ne") and new.kind in ("truthy", "not-none"):
            return f"the check was reduced to a {_KINDS.get(new.kind, new.kind)} check"
        return ""

    def question(self, base: SourceFile, head: SourceFile, old: Check, new: Check) -> str:
        """A tag comparison turned into a class check of the same object: equivalent when the class
        fixes the tag, so a question rather than a weakening."""
        if not tag_to_class(base, head, old, new):
            return ""
        was, now = (" ".join(src.node_text(c.node).split()) for src, c in ((base, old), (head, new)))
        return f"`{was}` became `{now}`: a class check instead of a field compared with a literal; confirm the class " \
               "fixes that field."

    def same_target(self, old: Check, new: Check) -> bool:
        return old.subject == new.subject

    def rerecorded(self, ctx: FileContext, test: Test, old: Check, new: Check,
                   facts: ChangeFacts) -> Finding | None:
        return None

    def is_literal(self, src: SourceFile, node: Node | None) -> bool:
        return is_literal(src, node)

    def same_value(self, old: str, new: str) -> bool:
        """Equal texts, or the same single number written differently (`Decimal("2")` and `2.0`)."""
        if old == new:
            return True
        a, b = _NUMBER.findall(old), _NUMBER.findall(new)
        return len(a) == len(b) == 1 and float(a[0]) == float(b[0])

    def change_findings(self, ctx: ChangeContext, facts: ChangeFacts) -> Iterator[Finding]:
        return iter(())


PYTHON = PythonAssertions()


def _early_return(ctx: FileContext, src: SourceFile, test: Test, body: Node) -> Iterator[Finding]:
    """An added unconditional `return` that skips the assertions after it."""
    statements = [c for c in body.named_children if c.type != "comment"]
    for i, stmt in enumerate(statements):
        if stmt.type == "return_statement" and ctx.changed(stmt) and any(
                _asserts(src, later) for later in statements[i + 1:]):
            yield ctx.finding(ALWAYS_TRUE, stmt, f"{test.label} returns before its assertions run, so it can "
                              "never fail: remove the early return.")
            return


def _asserts(src: SourceFile, node: Node) -> bool:
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


def _now_raises(head: SourceFile, test: TestFunc, check: Check, raisers: list[Check]) -> bool:
    """Checks on a captured outcome (`result.exception`, `excinfo.value`) replaced by a new
    `pytest.raises`/`pytest.warns` block: the outcome variable is gone from the test."""
    root = re.match(r"[A-Za-z_]\w*", check.subject or "")
    return bool(raisers) and root is not None and root.group(0) not in identifiers(head, test.node)
