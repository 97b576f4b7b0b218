"""Tests that skip themselves when the repository's own code fails to import.

## What it does
Flags a test function the change adds or edits whose body is wrapped in
`try: from <this repository's package> import ... except ImportError: pytest.skip(...)`
(also `ModuleNotFoundError`, `self.skipTest`, `unittest.SkipTest`). The imported module must be
a package or module of this repository (a top-level `pkg/__init__.py`, `src/pkg/`, or `pkg.py`);
skipping on a missing optional third-party dependency is fine and is left alone. All such
tests of one file are one finding.

## Why is this bad?
The code under test is exactly what must import. If a refactor breaks `pkg.cli.api`, these tests
report "skipped" and CI stays green: the tests can never fail for the failure they exist to catch.

## Example
```python
def test_signature():
    try:
        from mypkg.api import run
        assert "config" in inspect.signature(run).parameters
    except ImportError as e:
        pytest.skip(f"missing dependencies: {e}")
```

## Use instead
Import the module under test at the top of the test file and let an import error fail the run;
for optional third-party dependencies use `pytest.importorskip("name")`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import ClassVar

from tree_sitter import Node

from ...detector import ChangeContext, Detector, FileContext, Rule
from ...lang.python.testing import dotted_name, is_test_path, test_functions, text_of
from ...models import Finding, Severity
from ...parsing import SourceFile, line_of, walk

RULE = Rule(
    id="python.test-tampering.import-error-skip",
    category="test-tampering",
    languages=("python",),
    severity=Severity.WARNING,
    summary="A test skips itself when the repository's own module fails to import",
)

IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError"})
SKIPS = frozenset({"pytest.skip", "self.skipTest", "cls.skipTest", "unittest.SkipTest", "SkipTest",
                   "unittest.case.SkipTest"})


def local_packages(paths: list[str] | tuple[str, ...]) -> set[str]:
    """Top-level importable names of the repository: `pkg/__init__.py`, `src/pkg/__init__.py`,
    and root-level `mod.py`."""
    found: set[str] = set()
    for path in paths:
        parts = PurePosixPath(path).parts
        if len(parts) == 2 and parts[1] == "__init__.py":
            found.add(parts[0])
        elif len(parts) == 3 and parts[0] == "src" and parts[2] == "__init__.py":
            found.add(parts[1])
        elif len(parts) == 1 and parts[0].endswith(".py") and parts[0] not in ("setup.py", "conftest.py"):
            found.add(parts[0][:-3])
    return found


def _imported_roots(src: SourceFile, block: Node) -> set[str]:
    roots: set[str] = set()
    for node in walk(block):
        if node.type == "import_from_statement":
            module = text_of(src, node.child_by_field_name("module_name"))
            if module and not module.startswith("."):
                roots.add(module.split(".", 1)[0])
        elif node.type == "import_statement":
            for name in node.children_by_field_name("name"):
                target = name.child_by_field_name("name") if name.type == "aliased_import" else name
                roots.add(text_of(src, target).split(".", 1)[0])
    return roots


def _skips_on_import_error(src: SourceFile, clause: Node) -> bool:
    caught = {text_of(src, n) for n in walk(clause) if n.type == "identifier"} & IMPORT_ERRORS
    if not caught:
        return False
    body = clause.child_by_field_name("body") or clause.named_children[-1]
    for node in walk(body):
        if node.type == "call" and dotted_name(src, node) in SKIPS:
            return True
        if node.type == "raise_statement" and any(dotted_name(src, c) in SKIPS for c in node.named_children):
            return True
    return False


def _guarded_tests(ctx: FileContext, packages: set[str]) -> Iterator[Node]:
    """The `try` statements of changed tests that skip when a local import fails."""
    head = ctx.head
    if head is None:
        return
    for test in test_functions(head):
        if not ctx.changed(test.node):
            continue
        for node in walk(test.node):
            if node.type != "try_statement":
                continue
            body = node.child_by_field_name("body")
            if body is None or not (_imported_roots(head, body) & packages):
                continue
            clauses = [c for c in node.named_children if c.type == "except_clause"]
            if any(_skips_on_import_error(head, c) for c in clauses):
                yield node


class ImportErrorSkip(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (RULE,)

    def check_change(self, ctx: ChangeContext) -> Iterator[Finding]:
        tests = [f for f in ctx.files if is_test_path(f.path) and f.path.endswith(".py") and f.diff.added]
        if not tests:
            return
        packages = local_packages(tuple(ctx.repo.paths("RIGHT")))
        for file in tests:
            found = list(_guarded_tests(file, packages))
            if not found:
                continue
            first = found[0]
            others = ", ".join(str(line_of(n)) for n in found[1:])
            more = f" (also the tests at lines {others})" if others else ""
            yield file.finding(
                RULE, first,
                f"This test skips itself when an import of this repository's own code fails{more}; "
                f"a broken import of the code under test is reported as skipped, not failed. "
                f"Import it at module level and let the error fail the test.",
                confidence="medium",
            )
