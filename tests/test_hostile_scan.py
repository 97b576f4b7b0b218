"""Hostile pull requests against `slopguard scan` run as a process on real git repositories
(issue 14): file names git quotes or pads, attributes that hide a diff, repository-chosen rulesets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .app.conftest import HEAD_FILES
from .gitrepos import make_repo

SLOPGUARD = [sys.executable, "-m", "slopguard.cli"]
# The same insecure code under every name: a swallowed exception and an HTTP call in a loop.
CODE = HEAD_FILES["app.py"]
EXPECTED = {"python.error-handling.swallowed-exception", "python.excessive-io.io-in-loop"}


def scan(repo: Path, *extra: str, env: dict[str, str] | None = None) -> tuple[int, dict[str, Any], str]:
    proc = subprocess.run([*SLOPGUARD, "scan", "--repo", str(repo), "--base", "main", "--no-llm",
                           "--format", "json", *(extra or ("--head", "feature"))],
                          capture_output=True, text=True, timeout=120, env=env)
    report = json.loads(proc.stdout) if proc.stdout.strip() else {}
    return proc.returncode, report, proc.stderr


def rules_at(report: dict[str, Any], path: str) -> set[str]:
    return {f["rule"] for f in report["findings"] if f["path"] == path}


@pytest.mark.parametrize("name", [
    "auth helpers.py",              # a space: git ends the `---`/`+++` lines with a TAB
    "pkg/auth helpers.py",
    os.fsdecode(b"caf\xe9 auth.py"),  # not UTF-8 (Latin-1 é), and a space
    "tab\there.py",                 # quoted by git: "tab\\there.py"
    'quote".py',
    "-rf.py",                       # option-like
])
@pytest.mark.parametrize("mode", ["commits", "working-tree"])
def test_every_file_name_is_reviewed(tmp_path: Path, name: str, mode: str) -> None:
    repo = make_repo(tmp_path, {"README.md": "x\n"}, {name: CODE, "plain.py": CODE})
    code, report, err = scan(repo, *(["--working-tree"] if mode == "working-tree" else []))
    shown = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    assert code == 1, err
    assert rules_at(report, "plain.py") >= EXPECTED
    assert rules_at(report, shown) >= EXPECTED, report["findings"]
    assert not [n for n in report["notices"] if n["path"]], report["notices"]


def test_a_gitattributes_that_hides_the_diff_does_not_skip_the_review(tmp_path: Path) -> None:
    """`*.py -diff` makes git print "Binary files differ" for text: the file is still reviewed."""
    repo = make_repo(tmp_path, {"README.md": "x\n"}, {".gitattributes": "*.py -diff\n", "auth.py": CODE})
    code, report, err = scan(repo)
    assert code == 1, err
    assert rules_at(report, "auth.py") >= EXPECTED
