"""Tests switched off: skipped, xfailed, marked todo or focused, without a condition or reason
that states a real constraint (Python and JS/TS).

## What it does
Flags what a change adds to a test file:
- a skip without a real condition or reason (`skipped-test`): Python `pytest.mark.skip`,
  `pytest.mark.xfail`, `skipif(True, ...)`, `unittest.skip`/`expectedFailure`,
  `pytestmark = pytest.mark.skip`, an unconditional `pytest.skip()`/`self.skipTest()`; JS/TS
  `it.skip`/`describe.skip`, `xit`/`xdescribe`, `.fixme`, `.failing`/`.fails`, an unconditional
  `this.skip()`/`ctx.skip()`, or an `it.todo` that replaces an existing test. A condition
  (platform, runtime version, optional dependency, environment) or a reason naming a real
  constraint (for JS, the comment on or above the skip) is fine; "flaky", "temporarily",
  "fix later", "TODO" or no reason at all are not. A Python reason saying the test fails is
  reported as an error; a reason naming a constraint on an unconditional skip is a low-confidence
  notice (the test then runs nowhere);
- instead, when the skipped test (or every test of a skipped class or suite) is new and asserts
  nothing, whatever its reason says (`skipped-placeholder-test`): it can never fail;
- JS `it.only`/`describe.only`/`fit`/`fdescribe` left in, which stops every other test of the file
  (or the run) from running (`js.test-tampering.focused-test`).

One detector serves both languages: the reason lists (rules/data/test-tampering.yml), the reading
of a reason and which reasons are reported are shared (`skip_reasons.py`); each language
(`python_skips.py`, `js_skips.py`) finds its skips and words its findings.

## Why is this bad?
Skipping a test that started failing hides the regression the test exists to catch: the suite
goes green, the bug ships. AI agents do this routinely to make CI pass.

## Example
```python
@pytest.mark.skip(reason="flaky, needs investigation")
def test_coupon_min_spend_uses_pre_discount_subtotal(): ...
```

## Use instead
Fix the code (or the test, if the behaviour change is intended and described), or skip only on a
real, stated condition:
```python
@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes are not enforced on Windows")
def test_cache_file_is_private(): ...
```
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import ClassVar, Protocol

from ...detector import Detector, FileContext, Rule
from ...models import Finding
from ...parsing import SourceFile
from .js_skips import JS
from .python_skips import PYTHON


class Skips(Protocol):
    """One language's skips (see `python_skips.PythonSkips`)."""

    @property
    def rules(self) -> tuple[Rule, ...]: ...

    def is_test_path(self, path: str) -> bool: ...
    def skips(self, ctx: FileContext, head: SourceFile) -> Iterator[Finding]: ...


LANGUAGES: dict[str, Skips] = {"python": PYTHON, "javascript": JS, "typescript": JS, "tsx": JS}


class SkippedTest(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (*PYTHON.rules, *JS.rules)

    def check_file(self, ctx: FileContext) -> Iterable[Finding]:
        head = ctx.head
        lang = LANGUAGES.get(ctx.language or "")
        if lang is None or head is None or head.root is None or not lang.is_test_path(ctx.path) \
                or not ctx.diff.added:
            return
        yield from lang.skips(ctx, head)
