"""The Python side of the deleted-test detector (`deleted_test.py`): pytest/unittest test
functions and classes, what pytest no longer collects, and the source changes that explain a
deleted test."""

from __future__ import annotations

import difflib
import re

from tree_sitter import Node

from ...analysis.assertions import ChangeFacts
from ...detector import ChangeContext, FileContext, RepoView, Rule
from ...lang.python.test_subjects import project_calls, project_names
from ...lang.python.testing import (
    TestFunc,
    body_lines,
    head_test_names,
    identifiers,
    is_test_path,
    norm,
    removed_definitions,
    test_functions,
    text_of,
)
from ...models import Severity
from ...parsing import SourceFile, line_of, walk
from .python_assertion_sources import parameter_uses, removed_defaults, removed_parameters

DELETED = Rule(
    id="python.test-tampering.deleted-test",
    category="test-tampering",
    languages=("python",),
    severity=Severity.WARNING,
    summary="A test is deleted, commented out or renamed so it no longer runs",
)

_COMMENTED_DEF = re.compile(r"^\s*#\s*(?:async\s+)?def\s+(\w+)\s*\(")


class PythonDeletions:
    rule = DELETED
    file_noun = "Test module"
    asserting: tuple[str, ...] = ("assert", "self.assert")
    similar = 0.9
    similar_named = 0.75
    replaced_at = "in its place"  # the new `def` in the hunk that removes the deleted one

    def files(self, ctx: ChangeContext) -> list[FileContext]:
        return [f for f in ctx.files if f.language == "python" and f.base is not None
                and is_test_path(f.diff.old_path or f.path) and f.diff.removed]

    def missing(self, f: FileContext) -> list[TestFunc]:
        """Tests of the base file whose definition line is removed and that the head file lacks."""
        present = {t.qualname for t in test_functions(f.head)} if f.head is not None else set()
        base = f.base
        assert base is not None
        return [t for t in test_functions(base) if t.qualname not in present and line_of(t.node) in f.diff.removed
                and not _is_fixture(base, t)]

    def head_names(self, repo: RepoView) -> set[str]:
        return head_test_names(repo)

    def name(self, test: TestFunc) -> str:
        return test.name

    def qualname(self, test: TestFunc) -> str:
        return test.qualname

    def label(self, test: TestFunc) -> str:
        return f"`{test.qualname}`"

    def line(self, test: TestFunc) -> int:
        return line_of(test.node)

    def text(self, src: SourceFile, test: TestFunc) -> str:
        return src.node_text(test.node)

    def gone(self, ctx: ChangeContext) -> ChangeFacts:
        return ChangeFacts(gone=removed_definitions(ctx.files) | removed_defaults(ctx.files), flag_values=False,
                           params=removed_parameters(ctx.files))

    def added(self, ctx: ChangeContext) -> list[tuple[SourceFile, TestFunc]]:
        """Test functions that the change adds or rewrites in test files."""
        out: list[tuple[SourceFile, TestFunc]] = []
        for f in ctx.files:
            if f.language != "python" or f.head is None or not is_test_path(f.path) or not f.diff.added:
                continue
            before = {t.qualname for t in test_functions(f.base)} if f.diff.old_path else set()
            for test in test_functions(f.head):
                if f.changed(test.node) and test.qualname not in before:
                    out.append((f.head, test))
        return out

    def rewritten(self, f: FileContext, test: TestFunc, added: list[tuple[SourceFile, TestFunc]],
                  gone: ChangeFacts) -> bool:
        """Two tests merged into one: a test of the base that the change rewrites now has (nearly)
        the deleted test's body, so what the deleted test checked still runs under the kept name."""
        base, head = f.base, f.head
        if base is None or head is None:
            return False
        mine = "\n".join(body_lines(base, test.node))
        before = {t.qualname: "\n".join(body_lines(base, t.node)) for t in test_functions(base)}
        for other in test_functions(head):
            theirs = "\n".join(body_lines(head, other.node))
            if mine and before.get(other.qualname, theirs) != theirs \
                    and difflib.SequenceMatcher(None, mine, theirs).ratio() >= self.similar:
                return True
        return False

    def disabled(self, f: FileContext, test: TestFunc) -> tuple[Node | int, str] | None:
        """Where the test now sits commented out, or its renamed definition pytest does not collect."""
        at = _disabled(f, test)
        if at is None:
            return None
        return at, (f"Test `{test.qualname}` is commented out or renamed so pytest no longer runs it: restore it "
                    "or fix the code it catches.")

    def checks_removed(self, base: SourceFile, test: TestFunc, gone: ChangeFacts) -> bool:
        """The test uses a name the change removes from the source, or a parameter it removes."""
        return bool(identifiers(base, test.node) & gone.gone or parameter_uses(base, test.node) & gone.params)

    def statements(self, src: SourceFile, test: TestFunc) -> list[str]:
        """The body's statements, then the `assert` statements nested in its blocks (`with`, `for`):
        an assertion kept under a renamed test is found wherever it sits."""
        body = test.node.child_by_field_name("body")
        nested = [norm(text_of(src, n)) for n in walk(body) if n.type == "assert_statement"
                  and n.parent is not body] if body is not None else []
        return body_lines(src, test.node) + nested

    def replacement(self, ctx: ChangeContext, f: FileContext, test: TestFunc,
                    added: list[tuple[SourceFile, TestFunc]]) -> tuple[str, str] | None:
        """(name, call) of a test the change adds in place of `test` (its `def` in the hunk that
        removes the deleted one's) that makes a call of the repository's code `test` made, with the
        same arguments but literals, while the change also edits non-test Python code: the test is
        rewritten for a behaviour the change alters, not dropped."""
        base, head = f.base, f.head
        if base is None or head is None or not _edits_source(ctx):
            return None
        hunk = next((h for h in f.diff.hunks if line_of(test.node) in h.removed_lines), None)
        if hunk is None:
            return None
        peers = [t for src, t in added if src is head and line_of(t.node) in hunk.added_lines]
        if not peers:
            return None
        mine = project_calls(base, test.node, project_names(ctx.repo, "LEFT", f.diff.old_path or f.path, base))
        if not mine:
            return None
        names = project_names(ctx.repo, "RIGHT", f.path, head)
        for peer in peers:
            shared = [text for shape, text in project_calls(head, peer.node, names).items() if shape in mine]
            if shared:
                return peer.qualname, shared[0]
        return None

    def container(self, f: FileContext, base: SourceFile, test: TestFunc) -> tuple[object, int, str] | None:
        """The test class, when the change deletes its `class` line too."""
        if test.cls_node is None or test.cls is None or line_of(test.cls_node) not in f.diff.removed:
            return None
        return test.cls, line_of(test.cls_node), (f"Test class `{test.cls}` is deleted: keep its tests or explain "
                                                  "why the behaviour is gone.")


PYTHON = PythonDeletions()


def _edits_source(ctx: ChangeContext) -> bool:
    """The change adds or removes lines of a Python module that is not a test."""
    return any(f.language == "python" and not is_test_path(f.path) and (f.diff.added or f.diff.removed)
               for f in ctx.files)


def _is_fixture(src: SourceFile, test: TestFunc) -> bool:
    """A `@pytest.fixture` named `test_*`: pytest does not collect it as a test."""
    for dec in test.decorators:
        expr = dec.named_children[0] if dec.named_children else None
        target = expr.child_by_field_name("function") if expr is not None and expr.type == "call" else expr
        if target is not None and text_of(src, target).split(".")[-1] == "fixture":
            return True
    return False


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
