"""Tests deleted, commented out or renamed so that pytest no longer collects them.

## What it does
Flags a test function, test class or test module of the base that is gone from the head: deleted
(reported on the removed `def`/`class` line), commented out, or renamed to a name pytest does not
collect (`_test_x`, `disabled_test_x`). A test that still exists elsewhere in the head (moved to
another file, renamed with the same body), or whose code under test the change removes (a deleted
function or class, a parameter removed from a signature), is not reported.

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
import re
from collections.abc import Iterable, Iterator

from tree_sitter import Node

from ...analysis.intent import announced, announced_removals
from ...detector import ChangeContext, Detector, FileContext, Rule
from ...lang.python.testing import (
    TestFunc,
    body_lines,
    head_test_names,
    identifiers,
    is_test_path,
    removed_definitions,
    test_functions,
    text_of,
)
from ...models import Finding, Severity
from ...parsing import SourceFile, line_of, walk
from .python_assertion_sources import parameter_uses, removed_defaults, removed_parameters

DELETED = Rule(
    id="python.test-tampering.deleted-test",
    category="test-tampering",
    languages=("python",),
    severity=Severity.WARNING,
    summary="A test is deleted, commented out or renamed so it no longer runs",
)

_SIMILAR = 0.9
_SIMILAR_NAMED = 0.75


class PythonDeletedTest(Detector):
    rules = (DELETED,)

    def check_change(self, ctx: ChangeContext) -> Iterable[Finding]:
        files = [f for f in ctx.files if f.language == "python" and f.base is not None
                 and is_test_path(f.diff.old_path or f.path) and f.diff.removed]
        if not files:
            return
        candidates = [(f, t) for f in files for t in _missing(f)]
        if not candidates:
            return
        names = head_test_names(ctx.repo)
        gone = removed_definitions(ctx.files) | removed_defaults(ctx.files)
        params = removed_parameters(ctx.files)
        added = _added_tests(ctx)
        reported_classes: set[tuple[str, str]] = set()
        reported_files: set[str] = set()
        removals = announced_removals(ctx.intent)
        for f, test in candidates:
            base = f.base
            assert base is not None
            if test.name in names or announced(removals, f.path, test.qualname, body=base.node_text(test.node)):
                continue
            disabled = _disabled(f, test)
            if disabled is not None:
                yield f.finding(DELETED, disabled,
                                f"Test `{test.qualname}` is commented out or renamed so pytest no longer runs "
                                "it: restore it or fix the code it catches.")
                continue
            if identifiers(base, test.node) & gone or parameter_uses(base, test.node) & params \
                    or _replaced(base, test, added):
                continue
            yield from self._report(f, test, reported_classes, reported_files)

    def _report(self, f: FileContext, test: TestFunc, classes: set[tuple[str, str]],
                files: set[str]) -> Iterator[Finding]:
        if f.diff.status == "deleted":
            if f.path in files:
                return
            files.add(f.path)
            yield f.finding(DELETED, line_of(test.node), f"Test module `{f.path}` is deleted with its tests "
                            f"(`{test.qualname}` ...): keep the tests, or remove them together with the "
                            "code they cover and say so.", side="LEFT")
            return
        at = test.node
        if test.cls_node is not None and test.cls is not None and test.cls_node.start_point[0] + 1 in f.diff.removed:
            if (f.path, test.cls) in classes:
                return
            classes.add((f.path, test.cls))
            at = test.cls_node
            message = f"Test class `{test.cls}` is deleted: keep its tests or explain why the behaviour is gone."
        else:
            message = (f"Test `{test.qualname}` is deleted: keep it and fix the code, "
                       "or explain why the behaviour is gone.")
        yield f.finding(DELETED, line_of(at), message, side="LEFT")


def _missing(f: FileContext) -> list[TestFunc]:
    """Tests of the base file whose definition line is removed and that the head file lacks."""
    present = {t.qualname for t in test_functions(f.head)} if f.head is not None else set()
    removed = f.diff.removed
    base = f.base
    assert base is not None
    return [t for t in test_functions(base) if t.qualname not in present and line_of(t.node) in removed
            and not _is_fixture(base, t)]


def _is_fixture(src: SourceFile, test: TestFunc) -> bool:
    """A `@pytest.fixture` named `test_*`: pytest does not collect it as a test."""
    for dec in test.decorators:
        expr = dec.named_children[0] if dec.named_children else None
        target = expr.child_by_field_name("function") if expr is not None and expr.type == "call" else expr
        if target is not None and text_of(src, target).split(".")[-1] == "fixture":
            return True
    return False


def _added_tests(ctx: ChangeContext) -> list[tuple[SourceFile, TestFunc]]:
    """Test functions (and any other functions) that the change adds or rewrites in test files."""
    out: list[tuple[SourceFile, TestFunc]] = []
    for f in ctx.files:
        if f.language != "python" or f.head is None or not is_test_path(f.path) or not f.diff.added:
            continue
        before = {t.qualname for t in test_functions(f.base)} if f.diff.old_path else set()
        for test in test_functions(f.head):
            if f.changed(test.node) and test.qualname not in before:
                out.append((f.head, test))
    return out


def _similar(name: str, a: list[str], other: str, b: list[str]) -> bool:
    """Same test under another name: an identical assertion, or a near-identical body."""
    if not a or not b:
        return False
    if any(s.startswith(("assert", "self.assert")) for s in set(a) & set(b)):
        return True
    ratio = difflib.SequenceMatcher(None, "\n".join(a), "\n".join(b)).ratio()
    if ratio >= _SIMILAR:
        return True
    return ratio >= _SIMILAR_NAMED and difflib.SequenceMatcher(None, name, other).ratio() >= 0.5


def _replaced(base: SourceFile, test: TestFunc, added: list[tuple[SourceFile, TestFunc]]) -> bool:
    """True when a new test with (mostly) the same body exists: a rename or a rewrite in place."""
    mine = body_lines(base, test.node)
    return any(_similar(test.name, mine, other.name, body_lines(src, other.node)) for src, other in added)


_COMMENTED_DEF = re.compile(r"^\s*#\s*(?:async\s+)?def\s+(\w+)\s*\(")


def _disabled(f: FileContext, test: TestFunc) -> Node | int | None:
    """The head line where the test now sits commented out, or its non-test renamed definition."""
    head = f.head
    if head is None:
        return None
    for n in sorted(f.diff.added):
        m = _COMMENTED_DEF.match(head.line_text(n))
        if m and m.group(1) == test.name:
            return n
    root = head.root
    for node in walk(root) if root is not None else ():
        if node.type == "function_definition" and f.changed(node):
            name = text_of(head, node.child_by_field_name("name"))
            if name != test.name and test.name in name and not name.startswith("test"):
                return node.child_by_field_name("name") or node
    return None
