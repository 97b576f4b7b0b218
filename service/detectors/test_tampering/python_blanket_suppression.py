"""Blanket suppressions added to silence coverage, type checking or linting.

## What it does
Flags comments a change adds that switch a check off wholesale: `# pragma: no cover` on real code
(not the idiomatic `if TYPE_CHECKING:`, `if __name__ == "__main__":`, `raise NotImplementedError`
or `except ImportError:` lines), `# type: ignore` without an error code, `# noqa` without a rule
code, and file-wide `# flake8: noqa`, `# ruff: noqa`, `# mypy: ignore-errors`, `# pylint: skip-file`
or `# pylint: disable=all`.

A bare `# type: ignore` is left alone in a repository that writes it everywhere and (almost) never
with a code: its house style. A suppression on a line the change rewrites, which the replaced line
of the same hunk already ended with (the statement edited, its `# noqa` kept), is not the change's.
A bare `# type: ignore` on a line shaped like one the module's base already suppresses bare (names
and literals aside) is a low-confidence notice: the module's own form, named in the message.
A `# pragma: no cover - reason` states its reason.

## Why is this bad?
A blanket suppression hides every present and future problem on that line (or in that file), not
only the one that was in the way, and an excluded block silently stops counting against coverage.

## Example
```python
def requeue(self, job_id):  # pragma: no cover
    ...
value = payload["id"]  # type: ignore
```

## Use instead
Test the code; suppress one specific diagnostic: `# type: ignore[index]`, `# noqa: E501`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from tree_sitter import Node

from ...detector import ChangeContext, Detector, FileContext, RepoView, Rule
from ...lang.python import shape_index, shapes
from ...lang.python.symbols import comments
from ...lang.python.testing import is_test_path
from ...models import Finding, Severity
from ...parsing import SourceFile

PRAGMA = Rule(
    id="python.test-tampering.blanket-suppression",
    category="test-tampering",
    languages=("python",),
    severity=Severity.WARNING,
    summary="A blanket `# pragma: no cover`, `# type: ignore` or `# noqa` is added",
)

_NO_COVER = re.compile(r"pragma:\s*no\s*cover", re.IGNORECASE)
_TYPE_IGNORE = re.compile(r"#\s*type:\s*ignore(?!\[)")
_NOQA = re.compile(r"#\s*noqa(?!\s*:\s*[A-Z])", re.IGNORECASE)
_FILE_WIDE = re.compile(
    r"#\s*(flake8:\s*noqa|ruff:\s*noqa(?!\s*:)|mypy:\s*ignore-errors|pylint:\s*skip-file|pylint:\s*disable\s*=\s*all\b)",
    re.IGNORECASE,
)
_IDIOMATIC = re.compile(
    r"TYPE_CHECKING|__name__\s*==|NotImplementedError|except\s+(ImportError|ModuleNotFoundError)|"
    r"^\s*(\.\.\.|pass)\s*(#|$)|@(abc\.)?abstract|@overload|def __repr__|assert_never|"
    r"sys\.version_info|sys\.platform|os\.name|os\.environ|getenv\(|^\s*else\s*:\s*#|^\s*raise\s+AssertionError",
)


# `# pragma: no cover - only reached on Windows`: the exclusion states its reason, like a coded ignore
_REASONED = re.compile(r"pragma:\s*no\s*cover\s*[-:(\u2013\u2014]+\s*\S+\s+\S+", re.IGNORECASE)


_COVERAGE_PRAGMA = re.compile(r"pragma:\s*no\s*cover", re.IGNORECASE)


class PythonBlanketPragma(Detector):
    rules = (PRAGMA,)

    def check_change(self, ctx: ChangeContext) -> Iterable[Finding]:
        change = shape_index.indexed_change(ctx)  # the head tree's index, shared with the bloat rules
        if change is None:
            return
        files, index = change
        house_bare = _bare_type_ignore_is_house_style(ctx.repo, index, set(files))
        for f in files.values():
            yield from self._file(f, house_bare)

    def _file(self, ctx: FileContext, house_bare: bool) -> Iterable[Finding]:
        head = ctx.head
        if head is None or head.root is None or not ctx.diff.added:
            return
        before = {line.strip() for line in ctx.base.lines} if ctx.base is not None and ctx.diff.old_path else set()
        carried = _carried(ctx)
        for node in comments(head.root):  # a Python file (`indexed_change`): a query, not a walk of the tree
            if not ctx.changed(node):
                continue
            line = node.start_point[0] + 1
            code = head.line_text(line)
            if code.strip() in before or _take(carried, line, head.node_text(node)):
                continue
            message = _verdict(head.node_text(node), code, is_test_path(ctx.path) or _idiomatic_block(head, node))
            if message and house_bare and _TYPE_IGNORE.search(head.node_text(node)) \
                    and not _FILE_WIDE.search(head.node_text(node)):
                continue  # the repository writes bare `# type: ignore` everywhere and never a coded one
            if message and _TYPE_IGNORE.search(head.node_text(node)) and _module_precedent(ctx, line):
                yield ctx.finding(PRAGMA, line, message[:-1] + ", as this module already does on a line of "
                                  "the same shape.", severity=Severity.NOTICE, confidence="low")
                continue
            if message:
                # A coverage pragma hides a branch from the threshold; a bare `type: ignore` or `noqa`
                # hides every check on the line. The first is a question, the second a defect.
                coverage = _COVERAGE_PRAGMA.search(head.node_text(node)) is not None
                yield ctx.finding(PRAGMA, line, message, severity=Severity.NOTICE if coverage else None)


def _module_precedent(ctx: FileContext, line: int) -> bool:
    """The base of the file already puts a bare `# type: ignore` on a line of the same shape
    (names and literals aside: `async def foo():` for a new `async def factory(arg):`)."""
    base, head = ctx.base, ctx.head
    if base is None or head is None or ctx.diff.old_path is None:
        return False
    shape = _kind(shapes.normalized_lines(head.text).get(line))
    if shape is None:
        return False
    old = shapes.normalized_lines(base.text)
    return any(_TYPE_IGNORE.search(text) and _kind(old.get(n)) == shape for n, text in enumerate(base.lines, 1))


_DEF_LINE = re.compile(r"(?:async )?def I\(")


def _kind(shape: str | None) -> str | None:
    """A line's shape, with every `def` header one shape whatever its parameters (an untyped helper
    function suppressed the same way)."""
    return "def" if shape is not None and _DEF_LINE.match(shape) else shape


def _carried(ctx: FileContext) -> list[tuple[range, list[str]]]:
    """Per hunk, the removed lines (blanks collapsed) of the base: a line the change rewrites keeps
    the comment it had."""
    if ctx.diff.old_path is None:
        return []
    return [(h.added_lines, [" ".join(r.split()) for r in h.removed]) for h in ctx.diff.hunks if h.removed]


def _take(carried: list[tuple[range, list[str]]], line: int, comment: str) -> bool:
    """The suppression comment on `line` ends a line the same hunk removes: the change rewrote a
    line that already carried it (a rename inside a statement keeps its `# noqa`), so the change
    did not add it. Each removed line accounts for one added comment."""
    text = " ".join(comment.split())
    for lines, removed in carried:
        if line in lines:
            for i, old in enumerate(removed):
                if old.endswith(text):
                    del removed[i]
                    return True
    return False


# A bare noqa on an import line marks a deliberate re-export or fixture import (the unused-import
# warning is what it answers), not a blanket switch-off.
_IMPORT = re.compile(r"\s*(from\s+\S+\s+)?import\b")
_EXCUSED_CONDITION = re.compile(r"TYPE_CHECKING|__name__\s*==|sys\.version_info|sys\.platform|os\.name")
_EXCUSED_EXCEPT = re.compile(r"ImportError|ModuleNotFoundError")
_DEPRECATED = re.compile(r"DeprecationWarning|PendingDeprecationWarning|@deprecated|\bdeprecated\(")
_COMPOUND = frozenset({"if_statement", "elif_clause", "else_clause", "function_definition", "with_statement",
                       "for_statement", "while_statement", "try_statement", "except_clause"})


_HOUSE_STYLE_MIN = 10  # bare `# type: ignore` lines elsewhere in the repository, at most one coded per ten


def _bare_type_ignore_is_house_style(repo: RepoView, index: shape_index.RepoIndex, changed: set[str]) -> bool:
    def count() -> bool:
        bare = coded = 0
        for src in index.sources_containing("type:"):
            if src.path in changed:
                continue
            for line in src.lines:
                if "type:" in line and "ignore" in line:
                    if _TYPE_IGNORE.search(line):
                        bare += 1
                    elif _CODED_IGNORE.search(line):
                        coded += 1
        return bare >= _HOUSE_STYLE_MIN and coded * 10 <= bare
    return repo.memo("python.blanket-suppression.house-bare-ignore", count)


_CODED_IGNORE = re.compile(r"#\s*type:\s*ignore\[")


def _idiomatic_block(src: SourceFile, comment: Node) -> bool:
    """The commented line sits in code that is excluded by convention: under `if TYPE_CHECKING:`
    (or a version/platform check), in an `except ImportError:` fallback, or it opens a block
    that only keeps a deprecated path alive (it warns with `DeprecationWarning`)."""
    line = comment.start_point[0]
    node: Node | None = comment.prev_named_sibling if comment.prev_named_sibling is not None \
        and comment.prev_named_sibling.end_point[0] == line else comment.parent
    while node is not None:
        if node.type in ("if_statement", "elif_clause"):
            condition = node.child_by_field_name("condition")
            if condition is not None and _EXCUSED_CONDITION.search(src.node_text(condition)):
                return True
        if node.type == "except_clause" and _EXCUSED_EXCEPT.search(
                " ".join(src.node_text(c) for c in node.named_children if c.type != "block")):
            return True
        if node.type in _COMPOUND and node.start_point[0] == line and _DEPRECATED.search(src.node_text(node)):
            return True
        node = node.parent
    return False


def _verdict(comment: str, code: str, test: bool) -> str:
    if _FILE_WIDE.search(comment):
        return "A file-wide suppression switches a checker off for the whole file: fix or suppress single codes."
    if _TYPE_IGNORE.search(comment):
        return "`# type: ignore` without an error code hides every type error on the line: add the code, " \
               "e.g. `# type: ignore[arg-type]`, or fix the types."
    if _NOQA.search(comment) and not _FILE_WIDE.search(comment) and not (_IMPORT.match(code) and "*" not in code):
        return "`# noqa` without a rule code silences every lint on the line: name the rule, e.g. `# noqa: E501`."
    if _NO_COVER.search(comment) and not test and not _IDIOMATIC.search(code) and not _REASONED.search(comment):
        return "`# pragma: no cover` excludes this code from coverage: test it instead."
    return ""
