"""What `git commit` would record now: the staged changes, for `slopguard scan --staged`.

The index is written as a tree (`git write-tree`: the staged blobs are already in the object store)
and wrapped in an unreferenced commit whose parent is HEAD, so the engine reviews HEAD..staged
exactly as it reviews any two commits: the working tree is never read, and unstaged edits do not
count. Nothing is changed: no ref, no index entry, no file; git's garbage collection removes the
unreferenced objects later.
"""

from __future__ import annotations

import os
import subprocess

from .errors import GitError
from .gitrepo import Git

_IDENTITY = {
    "GIT_AUTHOR_NAME": "slopguard", "GIT_AUTHOR_EMAIL": "slopguard@localhost",
    "GIT_COMMITTER_NAME": "slopguard", "GIT_COMMITTER_EMAIL": "slopguard@localhost",
}
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


def snapshot(git: Git) -> tuple[str, str]:
    """(base, head) commits: HEAD (or an empty commit in a repository without one) and the index."""
    git.ensure_repository()
    if git.is_bare:
        raise GitError(f"{git.path}: a bare repository has no staged changes")
    tree = git.text("write-tree")
    parent = git.resolve("HEAD") if git.ref_exists("HEAD") else _commit(git, _empty_tree(git), None)
    return parent, _commit(git, tree, parent)


def _empty_tree(git: Git) -> str:
    return git.run("hash-object", "-t", "tree", "-w", "--stdin", input=b"").decode().strip() or EMPTY_TREE


def _commit(git: Git, tree: str, parent: str | None) -> str:
    args = ["git", "-C", str(git.path), "commit-tree", tree, "-m", "staged changes (slopguard scan --staged)"]
    if parent:
        args[5:5] = ["-p", parent]
    proc = subprocess.run(args, capture_output=True, env=dict(os.environ, **_IDENTITY), check=False)
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git commit-tree failed: {err[-1] if err else proc.returncode}")
    return proc.stdout.decode().strip()
