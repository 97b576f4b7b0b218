"""Real git repositories for tests: build a base commit and a head commit from file maps."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

ENV = dict(
    os.environ,
    GIT_AUTHOR_NAME="dev",
    GIT_AUTHOR_EMAIL="dev@example.com",
    GIT_COMMITTER_NAME="dev",
    GIT_COMMITTER_EMAIL="dev@example.com",
)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=ENV
    ).stdout.strip()


def write_tree(repo: Path, files: Mapping[str, str | bytes | None]) -> None:
    for rel, content in files.items():
        path = repo / rel
        if content is None:
            if path.exists():
                path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)


def make_repo(
    root: Path,
    base: Mapping[str, str | bytes | None],
    head: Mapping[str, str | bytes | None],
    message: str = "change",
    replace: bool = False,
) -> Path:
    """A repository with `main` at base and `feature` at head.

    With replace=False, head is applied on top of base (None deletes a file); with replace=True
    head is the whole tree.
    """
    repo = root / "repo"
    repo.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    write_tree(repo, base)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", "base")
    git(repo, "checkout", "-q", "-b", "feature")
    if replace:
        for child in repo.iterdir():
            if child.name != ".git":
                subprocess.run(["rm", "-rf", str(child)], check=True)
    write_tree(repo, head)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return repo
