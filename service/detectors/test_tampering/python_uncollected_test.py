"""A new test file that the repository's test runner will never collect.

## What it does
Flags a Python file the change adds that holds test functions (`def test_*`, `Test*` classes),
lies under a test directory or imports pytest/unittest, and that pytest, as the repository
configures it, does not collect: its name matches none of `python_files` (default `test_*.py`,
`*_test.py`), or it lies outside `testpaths`. Files the runner configuration or CI names
explicitly, `conftest.py`, and files that call their own test functions (scripts) are left alone.
The collection settings come from the language layer (`lang/python/collection.py`).

## Why is this bad?
The tests look like coverage for the change, but they never run: CI is green whether the code
works or not, and nobody notices until the code breaks.

## Example
```
tests/check_refunds.py      # def test_refund_is_idempotent(): ...
```

## Use instead
Name the file so the runner collects it (`tests/test_refunds.py`), or add its pattern to
`python_files`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import ClassVar

from ...detector import ChangeContext, Detector, FileContext, Rule
from ...lang.python import collection as runner
from ...lang.python.testing import is_test_path, test_functions
from ...models import Finding, Severity
from ...parsing import SourceFile, line_of, walk

RULE = Rule(
    id="python.test-tampering.uncollected-test-file",
    category="test-tampering",
    languages=("python",),
    severity=Severity.WARNING,
    summary="A new test file whose name or place the test runner never collects",
)


def _imports_test_framework(src: SourceFile) -> bool:
    for node in src.root.named_children if src.root is not None else ():
        if node.type in ("import_statement", "import_from_statement"):
            text = src.node_text(node)
            if any(word in text.split() or f"{word}." in text for word in ("pytest", "unittest")):
                return True
    return False


def _calls_own_tests(src: SourceFile, names: set[str]) -> bool:
    """A script that calls its test functions itself (`if __name__ == "__main__": test_x()`)."""
    for node in walk(src.root) if src.root is not None else ():
        if node.type == "call":
            func = node.child_by_field_name("function")
            if func is not None and src.node_text(func) in names:
                return True
    return False


class UncollectedTestFile(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (RULE,)

    def check_change(self, ctx: ChangeContext) -> Iterator[Finding]:
        added = [f for f in ctx.files if f.diff.status == "added" and f.path.endswith(".py")
                 and PurePosixPath(f.path).name != "conftest.py" and f.head is not None]
        if not added:
            return
        settings = runner.collection(ctx.repo)
        for file in added:
            finding = self._check(file, settings)
            if finding is not None:
                yield finding

    @staticmethod
    def _check(ctx: FileContext, settings: runner.Collection) -> Finding | None:
        src = ctx.head
        if src is None or settings.collects(ctx.path):
            return None
        tests = test_functions(src)
        if not tests or not (is_test_path(ctx.path) or _imports_test_framework(src)):
            return None
        if _calls_own_tests(src, {t.name for t in tests}):
            return None
        name = PurePosixPath(ctx.path).name
        patterns = ", ".join(settings.python_files)
        if not any(PurePosixPath(name).match(p) for p in settings.python_files):
            why = f"its name matches none of the collected patterns ({patterns})"
        else:
            why = f"it lies outside the configured testpaths ({', '.join(settings.testpaths)})"
        return ctx.finding(
            RULE, line_of(tests[0].outer),
            f"pytest will never collect {name}: {why}, so its {len(tests)} test(s) never run. "
            f"Rename or move it where the runner looks.",
            anchor="definition",
        )
