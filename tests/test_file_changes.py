"""The file-level orthogonal-edit rules on real repositories: modes and committed artefacts."""

from __future__ import annotations

from pathlib import Path

from slopguard.config import Config, load_ruleset
from slopguard.engine import Target, scan

from .gitrepos import git, make_repo

RULES = ("repo.orthogonal-edit.executable-bit-lost", "repo.orthogonal-edit.committed-artifact")


def _findings(repo: Path) -> list[tuple[str, str, int]]:
    config = Config(ruleset=load_ruleset("strict"), ignore=())
    result = scan(Target(repo=repo, base="main", head="feature"), config)
    return sorted((f.rule, f.path, f.line) for f in result.findings if f.rule in RULES)


def _chmod_commit(repo: Path, path: str, mode: str, content: str) -> None:
    (repo / path).write_text(content)
    git(repo, "add", path)
    git(repo, "update-index", f"--chmod={mode}", path)
    git(repo, "commit", "-q", "-m", "edit")


def test_an_executable_that_loses_its_bit_is_reported(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"scripts/update.js": "#!/usr/bin/env node\nconsole.log(1);\n",
                                "run.sh": "#!/bin/sh\necho hi\n"}, {})
    git(repo, "checkout", "-q", "main")
    git(repo, "update-index", "--chmod=+x", "scripts/update.js", "run.sh")
    git(repo, "commit", "-q", "-m", "executable")
    git(repo, "checkout", "-q", "-B", "feature")
    _chmod_commit(repo, "scripts/update.js", "-x", "#!/usr/bin/env node\nconsole.log(2);\n")
    _chmod_commit(repo, "run.sh", "+x", "#!/bin/sh\necho hello\n")  # unchanged mode: fine
    assert _findings(repo) == [("repo.orthogonal-edit.executable-bit-lost", "scripts/update.js", 1)]


def test_a_file_made_executable_is_not_reported(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"tool.py": "print(1)\n"}, {})
    _chmod_commit(repo, "tool.py", "+x", "#!/usr/bin/env python3\nprint(1)\n")
    assert _findings(repo) == []


def test_committed_logs_and_caches_are_reported_and_source_is_not(tmp_path: Path) -> None:
    head: dict[str, str | bytes | None] = {
        "packages/web/.turbo/turbo-build.log": "> web@0.1.0 build\n> next build\n",
        ".pytest_cache/v/cache/lastfailed": "{}\n",
        "app/models.py": "X = 1\n",
        "docs/logging.md": "# Logs\n",
        "src/logs/reader.ts": "export const read = () => 1;\n",
        "build/config.js": "module.exports = {};\n",
    }
    repo = make_repo(tmp_path, {"README.md": "hi\n"}, head)
    found = _findings(repo)
    assert found == [
        ("repo.orthogonal-edit.committed-artifact", ".pytest_cache/v/cache/lastfailed", 1),
        ("repo.orthogonal-edit.committed-artifact", "packages/web/.turbo/turbo-build.log", 1),
    ]
