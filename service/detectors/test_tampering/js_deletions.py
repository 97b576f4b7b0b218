"""The JavaScript/TypeScript side of the deleted-test detector (`deleted_test.py`): `it`/`test`
blocks and `describe` suites, tests commented out, and parameterised tests rewritten as loops or
moved to another assertion library."""

from __future__ import annotations

import re

from ...analysis.assertions import ChangeFacts
from ...analysis.intent import content_stems
from ...detector import ChangeContext, FileContext, RepoView, Rule
from ...lang.js.assertion_checks import checks
from ...lang.js.testing import (
    LANGUAGES,
    Block,
    announces_migration,
    base_version,
    blocks,
    body_statements,
    head_titles,
    identifiers,
    is_test_path,
    removed_definitions,
    tests_only,
)
from ...models import Severity
from ...parsing import SourceFile
from .js_merged_tests import merged
from .js_replacements import replacement

DELETED = Rule(
    id="js.test-tampering.deleted-test",
    category="test-tampering",
    languages=LANGUAGES,
    severity=Severity.WARNING,
    summary="A test is deleted or commented out so it no longer runs",
)

_COMMENTED = re.compile(r"^\s*(?://+|/?\*+)\s*(?:it|test|specify)(?:\.\w+)?\(\s*(['\"`])(.*?)\1")
_PLACEHOLDER = re.compile(r"%[sdifjopc#%]|\$\{[^}]*\}|\$[\w.#]+")


class JsDeletions:
    rule = DELETED
    file_noun = "Test file"
    asserting: tuple[str, ...] = ("expect(", "awaitexpect(", "assert")
    similar = 0.8
    similar_named = 2.0  # titles are not compared: a retitled test is judged by its body alone
    replaced_at = "to its file"  # any new test of the file (`js_replacements.py`)

    def files(self, ctx: ChangeContext) -> list[FileContext]:
        return [f for f in ctx.files if f.language in LANGUAGES and f.base is not None
                and is_test_path(f.diff.old_path or f.path) and f.diff.removed]

    def missing(self, f: FileContext) -> list[Block]:
        """Tests of the base file whose first line is removed and whose name the head file lacks."""
        present = {b.qualname for b in tests_only(blocks(f.head))} if f.head is not None else set()
        return [b for b in tests_only(blocks(f.base)) if b.qualname not in present and b.line in f.diff.removed
                and "todo" not in b.modifiers]

    def head_names(self, repo: RepoView) -> set[str]:
        return head_titles(repo)

    def name(self, test: Block) -> str:
        return test.title

    def qualname(self, test: Block) -> str:
        return test.qualname

    def label(self, test: Block) -> str:
        return f"'{test.title}'"

    def line(self, test: Block) -> int:
        return test.line

    def text(self, src: SourceFile, test: Block) -> str:
        return src.node_text(test.node)

    def gone(self, ctx: ChangeContext) -> ChangeFacts:
        return ChangeFacts(gone=removed_definitions(ctx.files), flag_values=False,
                           migrating=announces_migration(ctx.intent))

    def added(self, ctx: ChangeContext) -> list[tuple[SourceFile, Block]]:
        """Tests that the change adds (new titles) in JS/TS test files."""
        out: list[tuple[SourceFile, Block]] = []
        for f in ctx.files:
            if f.language not in LANGUAGES or f.head is None or not is_test_path(f.path) or not f.diff.added:
                continue
            before = {b.qualname for b in tests_only(blocks(base_version(f)))}
            for test in tests_only(blocks(f.head)):
                if f.changed(test.node) and test.qualname not in before:
                    out.append((f.head, test))
        return out

    def rewritten(self, f: FileContext, test: Block, added: list[tuple[SourceFile, Block]],
                  gone: ChangeFacts) -> bool:
        """A parameterised test (`test.each(...)('... %s ...')`) rewritten in the same file as a loop
        of tests with template titles: the title's fixed words all reappear in the new test's
        suite-qualified title; or, when the file now asserts with another library (a test-runner
        migration), any new parameterised test in the file takes its place. Or it was merged into a
        test of its file the change edits (`js_merged_tests.py`)."""
        if merged(f, test):
            return True
        if not _parameterized(test.qualname):
            return False
        mine = content_stems(_PLACEHOLDER.sub(" ", test.qualname))
        ours = [t for src, t in added if src is f.head and _parameterized(t.qualname)]
        if any(mine and mine <= content_stems(_PLACEHOLDER.sub(" ", t.qualname)) for t in ours):
            return True
        return bool(ours) and (gone.migrating or _library_changed(f))

    def disabled(self, f: FileContext, test: Block) -> tuple[int, str] | None:
        """The added head line where the test now sits commented out."""
        head = f.head
        if head is None:
            return None
        for n in sorted(f.diff.added):
            m = _COMMENTED.match(head.line_text(n))
            if m and m.group(2) == test.title:
                return n, (f"Test '{test.title}' is commented out, so it no longer runs: restore it and fix the "
                           "code it catches.")
        return None

    def checks_removed(self, base: SourceFile, test: Block, gone: ChangeFacts) -> bool:
        return test.body is not None and bool(identifiers(base, test.body) & gone.gone)

    def statements(self, src: SourceFile, test: Block) -> list[str]:
        return body_statements(src, test)

    def replacement(self, ctx: ChangeContext, f: FileContext, test: Block,
                    added: list[tuple[SourceFile, Block]]) -> tuple[str, str] | None:
        return replacement(ctx, f, test, added)

    def container(self, f: FileContext, base: SourceFile, test: Block) -> tuple[object, int, str] | None:
        """The outermost enclosing base `describe` whose own line the change removes as well."""
        found = None
        for block in blocks(base):
            if block.kind == "suite" and block.line in f.diff.removed \
                    and block.node.start_byte <= test.node.start_byte < block.node.end_byte:
                found = found or block
        if found is None:
            return None
        return found.line, found.line, (f"Suite '{found.title}' is deleted with its tests: keep them or explain why "
                                        "the behaviour is gone.")


JS = JsDeletions()


def _parameterized(title: str) -> bool:
    return bool(_PLACEHOLDER.search(title))


def _library_changed(f: FileContext) -> bool:
    """The file's assertions all use another library than before (`expect` -> `assert`)."""
    before = {c.style for c in checks(f.base, f.base.root)} if f.base is not None else set()
    after = {c.style for c in checks(f.head, f.head.root)} if f.head is not None else set()
    return bool(before) and bool(after) and before.isdisjoint(after)
