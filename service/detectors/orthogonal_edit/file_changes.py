"""File-level drive-by changes: an executable loses its mode bit, build output gets committed.

## What it does
- `repo.orthogonal-edit.executable-bit-lost`: a file that was executable (mode 100755) is
  committed as 100644, so `./script` stops working. Reported at line 1.
- `repo.orthogonal-edit.committed-artifact`: the change adds a file that a tool writes, not a
  person: logs (`*.log`), tool caches and build output directories (`.turbo/`, `__pycache__/`,
  `.pytest_cache/`, `.mypy_cache/`, `.ruff_cache/`, `.next/`, `node_modules/`, `coverage/`),
  compiled files (`*.pyc`, `*.tsbuildinfo`) and OS litter (`.DS_Store`). Binary files are
  not seen by detectors (the engine skips them), so only text artefacts are reported.

## Why is this bad?
Neither is part of what the PR is about. A lost executable bit breaks whoever runs the script
(often CI, much later); committed build output and logs bloat the history, go stale at once, and
leak local paths, machine names and sometimes secrets.

## Example
```
old mode 100755
new mode 100644
```

## Use instead
Restore the mode (`git update-index --chmod=+x path`); delete generated files and add their
pattern to `.gitignore`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar

from ...detector import ChangeContext, Detector, FileContext, Rule
from ...models import Finding, Severity

LANGUAGES = ("python", "javascript", "typescript", "tsx")
MODE_LOST = Rule(
    id="repo.orthogonal-edit.executable-bit-lost",
    category="orthogonal-edit",
    languages=LANGUAGES,
    severity=Severity.WARNING,
    summary="An executable file loses its executable bit",
    confidence="medium",
)
ARTIFACT = Rule(
    id="repo.orthogonal-edit.committed-artifact",
    category="orthogonal-edit",
    languages=LANGUAGES,
    severity=Severity.WARNING,
    summary="A log, cache or build-output file is committed",
    confidence="medium",
)

EXECUTABLE = "100755"
ARTIFACT_PATH = re.compile(
    r"(^|/)(\.turbo|__pycache__|\.pytest_cache|\.mypy_cache|\.ruff_cache|\.next|node_modules|coverage|"
    r"\.nyc_output|\.tox|\.eggs|[\w.-]+\.egg-info)/"
    r"|\.(log|pyc|pyo|tsbuildinfo)$|(^|/)\.DS_Store$"
)


def _what(path: str) -> str:
    if path.endswith(".log"):
        return "a log file"
    if path.endswith((".pyc", ".pyo", ".tsbuildinfo")):
        return "a compiled file"
    if path.endswith(".DS_Store"):
        return "a macOS folder metadata file"
    return "tool cache or build output"


class FileChanges(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (MODE_LOST, ARTIFACT)

    def check_change(self, ctx: ChangeContext) -> Iterator[Finding]:
        for file in ctx.files:
            yield from _mode_lost(file)
            yield from _artifact(file)


def _mode_lost(ctx: FileContext) -> Iterator[Finding]:
    diff = ctx.diff
    if diff.old_mode == EXECUTABLE and diff.new_mode is not None and diff.new_mode != EXECUTABLE \
            and diff.status != "deleted":
        yield ctx.finding(
            MODE_LOST, 1,
            f"{diff.path} loses its executable bit ({diff.old_mode} -> {diff.new_mode}); running it "
            f"directly will fail. Restore the mode unless this change means it.",
            anchor="definition",
        )


def _artifact(ctx: FileContext) -> Iterator[Finding]:
    diff = ctx.diff
    if diff.old_path is not None or diff.status == "deleted" or not ARTIFACT_PATH.search(diff.path):
        return
    end = max(diff.added) if diff.added else 1
    yield ctx.finding(
        ARTIFACT, 1,
        f"{diff.path} is {_what(diff.path)}, written by a tool, not source; delete it from the "
        f"change and add its pattern to .gitignore.",
        end=end, anchor="definition",
    )
