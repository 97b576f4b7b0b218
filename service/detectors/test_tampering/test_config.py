"""Test and coverage configuration loosened so that a change passes CI with less checking
(Python and JS/TS).

## What it does
Reads the test configuration a change touches and flags:
- a coverage (or pylint) threshold lowered or removed: coverage.py `fail_under`,
  `--cov-fail-under`, pylint `fail-under`; jest `coverageThreshold`, vitest `coverage.thresholds`,
  nyc/c8 `lines`/`branches`/`functions`/`statements`, `--coverage.thresholds.lines=...`
  (`coverage-threshold-lowered`, an error);
- new coverage exclusions (coverage `omit`; `coveragePathIgnorePatterns`, `coverage.exclude`, nyc
  `exclude`) that cover source files the same change adds or modifies (`coverage-omit-added`,
  `coverage-exclude-added`); generated code (`*_pb2.py`, migrations, `dist/`, vendored code) is fine;
- options that keep tests from running or failing: `--deselect`, `--ignore`, `-k "not ..."`,
  `collect_ignore`, `continue-on-error: true`; new `testPathIgnorePatterns`/`exclude`/`testIgnore`
  entries that match existing test files, `passWithNoTests`, a `test` script that no longer runs
  the runner; `|| true` after a test command (`tests-deselected`, `tests-excluded`).

One detector serves both languages: a threshold lowered against the base (or against a base
threshold the change moved to another file) is judged the same way; each language
(`python_test_settings.py`, `js_test_settings.py`) says which files are configuration, how it
reads their thresholds, and what else in them keeps tests from running.

## Why is this bad?
Lowering the bar is the quiet way to make an under-tested change pass: the new code is excluded
from coverage or the failing tests are not collected, and nobody reads the config diff.

## Example
```ini
 [coverage:report]
-fail_under = 90
+fail_under = 75
```

## Use instead
Add tests for the new code; raise thresholds, never lower them in a feature PR.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import ClassVar, Protocol

from ...detector import ChangeContext, Detector, FileContext, Rule
from ...models import Finding
from ...parsing import SourceFile
from . import js_test_settings, python_test_settings

Thresholds = list[tuple[str, float, int]]  # (kind, value, line)


class Settings(Protocol):
    """What one language tells the detector (see `python_test_settings.PythonTestSettings`)."""

    lowered: Rule
    removed_once: bool  # report one removed threshold per file (else each)
    def is_config(self, path: str) -> bool: ...
    def checked(self, f: FileContext) -> bool: ...
    def thresholds(self, src: SourceFile | None) -> Thresholds: ...
    def threshold_name(self, kind: str) -> str: ...
    def loosened(self, ctx: ChangeContext, configs: list[FileContext]) -> Iterator[Finding]: ...


LANGUAGES: tuple[Settings, ...] = (python_test_settings.PYTHON, js_test_settings.JS)


class TestConfig(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (
        python_test_settings.LOWERED, python_test_settings.OMITTED, python_test_settings.DESELECTED,
        js_test_settings.LOWERED, js_test_settings.COVERAGE_EXCLUDED, js_test_settings.EXCLUDED,
    )

    def check_change(self, ctx: ChangeContext) -> Iterable[Finding]:
        for lang in LANGUAGES:
            configs = [f for f in ctx.files if lang.is_config(f.path)]
            if not configs:
                continue
            fallback = _orphaned(lang, configs)
            head_kinds = {kind for f in configs for kind, _, _ in lang.thresholds(f.head)}
            for f in configs:
                if lang.checked(f):
                    yield from _lowered(lang, f, fallback, head_kinds)
            yield from lang.loosened(ctx, configs)


def _orphaned(lang: Settings, configs: list[FileContext]) -> dict[str, float]:
    """Base thresholds of kinds that a changed file's head no longer sets (moved elsewhere)."""
    best: dict[str, float] = {}
    for f in configs:
        kept = {k for k, _, _ in lang.thresholds(f.head)}
        for kind, value, _ in lang.thresholds(f.base):
            if kind not in kept:
                best[kind] = max(best.get(kind, 0.0), value)
    return best


def _lowered(lang: Settings, f: FileContext, fallback: dict[str, float], head_kinds: set[str]) -> Iterator[Finding]:
    """A threshold the change lowers (against the same kind in the base file, or a base threshold
    the change moved here), or one it removes everywhere."""
    before = lang.thresholds(f.base) if f.diff.old_path else []
    for kind, value, line in lang.thresholds(f.head):
        if line not in f.diff.added:
            continue
        same = [v for k, v, _ in before if k == kind]
        old = max(same) if same else fallback.get(kind)
        if old is not None and value < old:
            yield f.finding(lang.lowered, line,
                            f"The {lang.threshold_name(kind)} threshold is lowered from {old:g} to {value:g}: add "
                            "tests for the new code instead of lowering the bar.")
    for kind, value, line in before:
        if kind not in head_kinds and line in f.diff.removed:
            yield f.finding(lang.lowered, line,
                            f"The {lang.threshold_name(kind)} threshold ({value:g}) is removed: keep it.",
                            side="LEFT")
            if lang.removed_once:
                return
