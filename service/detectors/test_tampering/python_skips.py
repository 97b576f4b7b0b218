"""The Python side of the skipped-test detector (`skipped_test.py`): pytest/unittest skip and
xfail markers, `pytestmark`, and unconditional `pytest.skip()`/`self.skipTest()` calls."""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from ...detector import FileContext, Rule
from ...lang.python.assertion_checks import verifies
from ...lang.python.testing import (
    call_args,
    dotted_name,
    is_test_path,
    is_truthy_constant,
    norm,
    string_value,
    test_classes,
    test_functions,
    text_of,
)
from ...models import Finding, Severity
from ...parsing import SourceFile, walk
from .skip_reasons import SkipWords, conditional, reported, verdict

SKIP_RULE = Rule(
    id="python.test-tampering.skipped-test",
    category="test-tampering",
    languages=("python",),
    severity=Severity.WARNING,
    summary="A test is skipped or xfailed without a condition or reason that states a real constraint",
    confidence="medium",
)
PLACEHOLDER_RULE = Rule(
    id="python.test-tampering.skipped-placeholder-test",
    category="test-tampering",
    languages=("python",),
    severity=Severity.WARNING,
    summary="A new test is always skipped and asserts nothing: it counts as a test but can never fail",
    confidence="medium",
)

_MARKERS = {
    "pytest.mark.skip": "skip", "mark.skip": "skip", "skip": "skip", "unittest.skip": "skip",
    "pytest.mark.xfail": "xfail", "mark.xfail": "xfail", "xfail": "xfail",
    "unittest.expectedFailure": "xfail", "expectedFailure": "xfail",
    "pytest.mark.skipif": "skipif", "mark.skipif": "skipif", "skipif": "skipif",
    "unittest.skipIf": "skipif", "skipIf": "skipif",
    "unittest.skipUnless": "skipunless", "skipUnless": "skipunless",
}
_CALLS = {"pytest.skip": "skip", "pytest.xfail": "xfail", "self.skipTest": "skip", "cls.skipTest": "skip",
          "unittest.SkipTest": "skip", "SkipTest": "skip", "pytest.skip.Exception": "skip"}
_WORDS = SkipWords(weak="python_skip_reason_weak", constraint="python_skip_reason_constraint",
                   fails="python_skip_reason_fails")
_CONDITIONS = frozenset({"if_statement", "elif_clause", "else_clause", "except_clause", "conditional_expression",
                         "boolean_operator", "for_statement", "while_statement", "match_statement",
                         "try_statement", "lambda", "function_definition"})


def _reason(src: SourceFile, call: Node | None, kind: str) -> str | None:
    if call is None or call.type != "call":
        return None
    positional, keywords = call_args(call)
    for key in ("reason", "msg"):
        if key in keywords:
            return string_value(src, keywords[key]) or ""
    index = 1 if kind in ("skipif", "skipunless") else 0
    if kind == "xfail" and positional and string_value(src, positional[0]) is None:
        index = 1
    if len(positional) > index:
        return string_value(src, positional[index])
    return None


def _has_real_condition(src: SourceFile, call: Node | None, kind: str) -> bool:
    """A skipif/xfail condition that is not a constant (a platform, version or dependency check)."""
    if call is None or call.type != "call":
        return False
    positional, keywords = call_args(call)
    condition = keywords.get("condition")
    if condition is None and positional:
        first = positional[0]
        if kind != "xfail" or string_value(src, first) is None:
            condition = first
    if condition is None:
        return False
    if kind == "skipunless":
        return condition.type not in ("false", "none", "true", "integer")
    return not is_truthy_constant(src, condition) and condition.type not in ("false", "none")


class PythonSkips:
    rules = (SKIP_RULE, PLACEHOLDER_RULE)
    is_test_path = staticmethod(is_test_path)

    def skips(self, ctx: FileContext, head: SourceFile) -> Iterator[Finding]:
        base_skips = _base_markers(ctx.base) if ctx.diff.old_path else {}
        base_names: set[str] = set()
        if ctx.diff.old_path and ctx.base is not None:
            base_names = {t.qualname for t in test_functions(ctx.base)}
            base_names |= {name for name, *_ in test_classes(ctx.base)}
        hollow = _Hollow(head, base_names, added=not ctx.diff.old_path)
        for qualname, marker in _markers(head):
            if not ctx.changed(marker) or norm(head.node_text(marker)) in base_skips.get(qualname, set()):
                continue
            finding = self._judge(ctx, head, marker, qualname in base_names or qualname == "<module>",
                                  hollow=hollow.scope(qualname))
            if finding is not None:
                yield finding
        yield from self._calls(ctx, head, base_names, hollow)

    def _judge(self, ctx: FileContext, src: SourceFile, marker: Node, existing: bool,
               call_kind: str | None = None, hollow: list[str] | None = None) -> Finding | None:
        expr = marker.named_children[0] if marker.type == "decorator" and marker.named_children else marker
        name = dotted_name(src, expr)
        kind = call_kind or _MARKERS.get(name) or _CALLS.get(name, "")
        if not kind:
            return None
        call = expr if expr.type == "call" else None
        if kind in ("skipif", "skipunless", "xfail") and _has_real_condition(src, call, kind):
            return None
        reason = _reason(src, call, kind)
        if hollow and kind != "xfail":
            return _placeholder(ctx, src, marker, hollow, reason)
        said = verdict(ctx.repo, _WORDS, reason)
        if not reported(said, kind == "xfail", existing):
            return None
        what = "xfailed" if kind == "xfail" else "skipped"
        if said == "real":
            # the reason names a constraint, but nothing tests it: the test never runs anywhere
            return ctx.finding(
                SKIP_RULE, marker,
                f"Test {what} unconditionally with reason {reason!r}: it never runs, even where that holds; "
                "skip on a condition that tests it (`skipif(...)`, `importorskip`).",
                severity=Severity.NOTICE, confidence="low")
        why = "without a reason" if not reason else f"with reason {reason!r}, which names no real constraint"
        if said == "error":
            why = f"because it fails ({reason!r})"
        return ctx.finding(
            SKIP_RULE, marker,
            f"Test {what} {why}: fix the code or the test, or skip only on a real condition "
            "(platform, Python version, optional dependency).",
            severity=Severity.ERROR if said == "error" else None,
        )

    def _calls(self, ctx: FileContext, src: SourceFile, base_names: set[str], hollow: _Hollow) -> Iterator[Finding]:
        for test in test_functions(src):
            body = test.node.child_by_field_name("body")
            if body is None or not ctx.changed(body):
                continue
            for node in walk(body):
                if node.type != "call" or not ctx.changed(node):
                    continue
                kind = _CALLS.get(dotted_name(src, node))
                if kind is None or conditional(node, test.node, _CONDITIONS):
                    continue
                finding = self._judge(ctx, src, node, test.qualname in base_names, kind,
                                      hollow=hollow.scope(test.qualname))
                if finding is not None:
                    yield finding


class _Hollow:
    """The tests a change adds that assert nothing (no assertion, `raise`, `fail` or local helper
    that asserts), and which markers cover only such tests."""

    def __init__(self, src: SourceFile, base_names: set[str], added: bool) -> None:
        tests = test_functions(src)
        self.empty = {t.qualname for t in tests if t.qualname not in base_names and not verifies(src, t.node)}
        self.all = [t.qualname for t in tests]
        self.base_names = base_names
        self.added = added

    def scope(self, qualname: str) -> list[str]:
        """The new, assertion-free tests a marker of `qualname` switches off, when it switches off
        only such tests; else []."""
        if qualname == "<module>":
            covered = self.all if self.added else []
        elif qualname in self.all:
            covered = [qualname]
        elif qualname not in self.base_names:  # a new test class
            covered = [q for q in self.all if q.startswith(f"{qualname}.")]
        else:
            covered = []
        return covered if covered and all(q in self.empty for q in covered) else []


def _placeholder(ctx: FileContext, src: SourceFile, marker: Node, hollow: list[str],
                 reason: str | None) -> Finding:
    expr = marker.named_children[0] if marker.type == "decorator" and marker.named_children else marker
    how = f"`{' '.join(text_of(src, expr).split())[:80]}`"
    said = f" (reason {reason!r})" if reason else ""
    what = f"New test `{hollow[0]}` is" if len(hollow) == 1 else f"{len(hollow)} new tests are"
    return ctx.finding(
        PLACEHOLDER_RULE, marker,
        f"{what} always skipped by {how}{said} and assert{'s' if len(hollow) == 1 else ''} nothing: "
        "counted as tests, they can never fail. Write the assertions and let them run, or leave them "
        "out of the change.")


def _markers(src: SourceFile) -> Iterator[tuple[str, Node]]:
    """(qualname, marker node) of every skip-like decorator and module-level `pytestmark`."""
    root = src.root
    if root is None:
        return
    for test in test_functions(src):
        for dec in test.decorators:
            yield test.qualname, dec
    for name, _node, _outer, decorators in test_classes(src):
        for dec in decorators:
            yield name, dec
    for stmt in root.children:
        if stmt.type != "expression_statement" or not stmt.named_children:
            continue
        assign = stmt.named_children[0]
        if assign.type != "assignment" or text_of(src, assign.child_by_field_name("left")) != "pytestmark":
            continue
        right = assign.child_by_field_name("right")
        items = right.named_children if right is not None and right.type in ("list", "tuple") else [right]
        for item in items:
            if item is not None:
                yield "<module>", item
    for node in root.children:
        if node.type == "expression_statement" and node.named_children:
            call = node.named_children[0]
            if call.type == "call" and dotted_name(src, call) == "pytest.skip":
                yield "<module>", call


def _base_markers(src: SourceFile | None) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    if src is None:
        return out
    for qualname, marker in _markers(src):
        out.setdefault(qualname, set()).add(norm(src.node_text(marker)))
    return out


PYTHON = PythonSkips()
