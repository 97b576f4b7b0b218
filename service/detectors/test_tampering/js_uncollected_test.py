"""A new JS/TS test file that the package's jest or vitest configuration never collects.

## What it does
Flags a JS/TS file the change adds that holds test blocks (`describe`/`it`/`test`) when the
runner of its package (the one its scripts invoke, else its config and dependencies), as
configured (jest `testMatch`/`roots`, vitest `test.include`/`test.dir`, or their defaults; see
`lang/js/collection.py`), matches none of its patterns. Left alone: packages whose runner cannot
be told (scripts running mocha, `node --test`, playwright; a computed config), end-to-end folders
(`e2e/`, `cypress/`, `playwright/`), in-source tests (`import.meta.vitest`) and type tests
(`*.test-d.ts`).

## Why is this bad?
The tests look like coverage for the change, but they never run: CI is green whatever the code
does.

## Example
```
src/refunds.tests.ts      # describe("refunds", ...) -- jest only collects *.test.ts / *.spec.ts
```

## Use instead
Name the file as the runner expects (`refunds.test.ts`) or widen `testMatch` / `include`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import ClassVar

from ...detector import ChangeContext, Detector, Rule
from ...lang.js import collection
from ...lang.js import symbols as sym
from ...lang.js.testing import blocks, tests_only
from ...models import Finding, Severity
from ...parsing import line_of

RULE = Rule(
    id="js.test-tampering.uncollected-test-file",
    category="test-tampering",
    languages=("javascript", "typescript", "tsx"),
    severity=Severity.WARNING,
    summary="A new test file that the package's jest/vitest configuration never collects",
)

OTHER_RUNNERS = re.compile(r"(^|/)(e2e|cypress|playwright|integration-tests?)/|\.test-d\.[cm]?tsx?$")


class UncollectedTestFile(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (RULE,)

    def check_change(self, ctx: ChangeContext) -> Iterator[Finding]:
        for file in ctx.files:
            if file.diff.status != "added" or not sym.is_js_path(file.path) or OTHER_RUNNERS.search(file.path):
                continue
            src = file.head
            if src is None or src.root is None or b"import.meta.vitest" in (src.data or b""):
                continue
            found = blocks(src)
            tests = tests_only(found)
            if not tests:
                continue
            runner = collection.runner_for(ctx.repo, file.path)
            if runner is None or runner.collects(file.path):
                continue
            yield file.finding(
                RULE, line_of(found[0].node),
                f"{runner.name} will never collect {PurePosixPath(file.path).name}: it matches none of "
                f"the package's test patterns ({', '.join(runner.patterns)}), so its {len(tests)} "
                f"test(s) never run. Rename it or widen the patterns.",
                anchor="definition",
            )
