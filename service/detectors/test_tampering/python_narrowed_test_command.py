"""A test command narrowed from the whole suite to a few named test files.

## What it does
In the configuration that runs the tests (tox.ini, setup.cfg, pyproject.toml, Makefile, noxfile,
CI workflows, package.json scripts), flags a changed line where a test runner (`pytest`,
`python -m pytest`, `coverage run -m pytest`, `jest`, `vitest`) that ran the whole suite or
whole directories now runs only named test files (`pytest tests/a_canary.py tests/b_canary.py`).
The replaced line must have named no test file: narrowing one file list to another is not
reported. The value of an option that takes one (`--config ./vitest.config.ts`, `--ignore
tests/slow.py`; the list `runner_value_options` in rules/data/test-tampering.yml) names no test
to run.

## Why is this bad?
Every test not on the new list silently stops running in CI. A feature PR that "makes CI pass"
by listing only its own tests hides every failure elsewhere.

## Example
```ini
 commands =
-    coverage run --source . -m pytest
+    coverage run --source . -m pytest tests/providers/anthropic_canary.py tests/providers/groq_canary.py
```

## Use instead
Keep the suite-wide command; mark slow or credential-bound tests with markers and deselect them by
a condition, or add a separate job for the new tests.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import ClassVar

from ...detector import ChangeContext, Detector, FileContext, Rule
from ...models import Finding, Severity
from ...ruledata import DataLists, data_lists

RULE = Rule(
    id="python.test-tampering.test-command-narrowed",
    category="test-tampering",
    languages=("python", "javascript", "typescript"),
    severity=Severity.WARNING,
    summary="A test command that ran the whole suite now runs only a few named test files",
)

CONFIG_NAMES = frozenset({"tox.ini", "setup.cfg", "pyproject.toml", "Makefile", "makefile", "GNUmakefile",
                          "noxfile.py", "package.json", "Justfile", "justfile", ".gitlab-ci.yml",
                          "azure-pipelines.yml", ".travis.yml"})
RUNNER = re.compile(r"(?:^|[\s\"'=;&(])(?:python3?\s+-m\s+)?(pytest|py\.test|jest|vitest(?:\s+run)?)(?=$|[\s\"';&)])")
TEST_FILE = re.compile(r"(\.py|\.[cm]?[jt]sx?)(::\S+)?$")


def _is_config(path: str) -> bool:
    p = PurePosixPath(path)
    return p.name in CONFIG_NAMES or (path.startswith(".github/workflows/") and p.suffix in (".yml", ".yaml"))


def _value_options(lists: DataLists) -> dict[str, frozenset[str]]:
    """Runner -> its options that take the next word as their value (`runner_value_options`)."""
    options: dict[str, set[str]] = {}
    for entry in lists.ordered("runner_value_options"):
        runner, *option = entry.split(maxsplit=1)
        options.setdefault(runner, set()).update(option)
    return {runner: frozenset(names) for runner, names in options.items()}


def _invocation(line: str, value_options: dict[str, frozenset[str]]) -> tuple[str, list[str]] | None:
    """(runner, the test files it names) of a line that runs a test runner."""
    m = RUNNER.search(line)
    if m is None:
        return None
    rest = line[m.end():]
    rest = re.split(r"&&|\|\||;|[\"'],?\s*$", rest, maxsplit=1)[0]
    try:
        words = shlex.split(rest, comments=True)
    except ValueError:
        words = rest.split()
    runner = m.group(1).split()[0]
    takes_value = value_options.get("pytest" if runner == "py.test" else runner, frozenset())
    files = [w for i, w in enumerate(words)
             if not w.startswith("-") and TEST_FILE.search(w) and not (i and words[i - 1] in takes_value)]
    return runner, files


class NarrowedTestCommand(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (RULE,)

    def check_change(self, ctx: ChangeContext) -> Iterator[Finding]:
        for file in ctx.files:
            if _is_config(file.path) and file.diff.status == "modified":
                yield from self._narrowed(file, _value_options(data_lists("test-tampering", ctx.repo)))

    @staticmethod
    def _narrowed(ctx: FileContext, value_options: dict[str, frozenset[str]]) -> Iterator[Finding]:
        for hunk in ctx.diff.hunks:
            before = [inv for line in hunk.removed if (inv := _invocation(line, value_options)) is not None]
            if not before or any(files for _, files in before):
                continue
            runners = {runner for runner, _ in before}
            for offset, line in enumerate(hunk.added):
                inv = _invocation(line, value_options)
                if inv is None or inv[0] not in runners or not inv[1]:
                    continue
                count = len(inv[1])
                yield ctx.finding(
                    RULE, hunk.new_start + offset,
                    f"`{inv[0]}` ran the whole suite here and now runs only {count} named test "
                    f"file{'s' if count > 1 else ''}; every other test stops running in this job.",
                )
