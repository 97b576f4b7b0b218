"""A new test file that the repository's test runner will never collect (Python and JS/TS).

## What it does
Flags a file the change adds that holds tests when the runner, as the repository configures it,
never collects it. The language layer decides (`lang/python/collection.py`: pytest
`python_files`/`testpaths`, files the runner configuration or CI names; `lang/js/collection.py`:
the jest or vitest the package's scripts invoke, their `testMatch`/`roots` or
`test.include`/`test.dir`, or their defaults) and says why; this detector reports it.

## Why is this bad?
The tests look like coverage for the change, but they never run: CI is green whether the code
works or not, and nobody notices until the code breaks.

## Example
```
tests/check_refunds.py      # def test_refund_is_idempotent(): ...  (pytest collects test_*.py)
src/refunds.tests.ts        # describe("refunds", ...)  (jest collects *.test.ts / *.spec.ts)
```

## Use instead
Name the file as the runner expects (`tests/test_refunds.py`, `src/refunds.test.ts`), or widen
`python_files` / `testMatch` / `include`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import PurePosixPath
from typing import ClassVar

from ...analysis.collection import Uncollected
from ...detector import ChangeContext, Detector, FileContext, RepoView, Rule
from ...lang.js import collection as js_collection
from ...lang.js import symbols as sym
from ...lang.python import collection as python_collection
from ...models import Finding, Severity

PYTHON = Rule(
    id="python.test-tampering.uncollected-test-file",
    category="test-tampering",
    languages=("python",),
    severity=Severity.WARNING,
    summary="A new test file whose name or place the test runner never collects",
)
JS = Rule(
    id="js.test-tampering.uncollected-test-file",
    category="test-tampering",
    languages=("javascript", "typescript", "tsx"),
    severity=Severity.WARNING,
    summary="A new test file that the package's jest/vitest configuration never collects",
)

# per language: which files it reads, its rule, and the layer that answers
_LAYERS: tuple[tuple[Callable[[str], bool], Rule,
                     Callable[[RepoView, FileContext], Uncollected | None]], ...] = (
    (lambda path: path.endswith(".py"), PYTHON, python_collection.uncollected),
    (sym.is_js_path, JS, js_collection.uncollected),
)


class UncollectedTestFile(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (PYTHON, JS)

    def check_change(self, ctx: ChangeContext) -> Iterator[Finding]:
        for file in ctx.files:
            if file.diff.status != "added":
                continue
            for reads, rule, layer in _LAYERS:
                if not reads(file.path):
                    continue
                found = layer(ctx.repo, file)
                if found is None:
                    continue
                yield file.finding(
                    rule, found.line,
                    f"{found.runner} will never collect {PurePosixPath(file.path).name}: {found.why}, so its "
                    f"{found.tests} test(s) never run. {found.advice}",
                    anchor="definition",
                )
