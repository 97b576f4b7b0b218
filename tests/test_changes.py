"""The git layer on real repositories: every kind of change, read from git objects."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from slopguard.changes import Trees, collect
from slopguard.errors import GitError
from slopguard.gitrepo import Git

from .gitrepos import git, make_repo

BODY = "".join(f"line {i}\n" for i in range(1, 30))


def _change(repo: Path, base: str = "main", head: str | None = "feature"):  # type: ignore[no-untyped-def]
    g = Git(repo)
    b = g.resolve(base)
    h = g.resolve(head) if head else None
    trees = Trees(g, b, h, max_bytes=50_000)
    return collect(g, b, h, trees), trees


def test_every_kind_of_change(tmp_path: Path) -> None:
    base = {"keep.py": BODY, "old_name.py": BODY, "gone.py": "x = 1\n", "run.sh": "echo hi\n",
            "crlf.py": "a = 1\r\nb = 2\r\n"}
    head = {"keep.py": BODY.replace("line 5\n", "line five\n"), "old_name.py": None,
            "new_name.py": BODY + "extra\n", "gone.py": None, "new.py": "print('hi')\n",
            "latin.py": "name = 'caf\xe9'\n".encode("latin-1"), "blob.bin": b"\x00\x01\x02" * 10,
            "big.py": "x = 1\n" * 20_000, "crlf.py": "a = 1\r\nb = 3\r\n"}
    repo = make_repo(tmp_path, base, head)
    os.chmod(repo / "run.sh", 0o755)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--amend", "-m", "change")
    change, trees = _change(repo)
    by = {d.path: d for d in change.files}
    assert by["keep.py"].status == "modified" and by["keep.py"].added == {5}
    assert by["new_name.py"].status == "renamed" and by["new_name.py"].old_path == "old_name.py"
    assert by["new_name.py"].added == {30}
    assert by["gone.py"].status == "deleted" and by["gone.py"].removed == {1}
    assert by["new.py"].status == "added" and by["new.py"].old_path is None
    assert by["run.sh"].status == "mode" and not by["run.sh"].hunks
    assert by["blob.bin"].status == "binary"
    assert "big.py" not in by
    assert any(n.path == "big.py" and "cap" in n.message for n in change.notices)
    assert by["crlf.py"].added == {2} and by["crlf.py"].hunks[0].added == ("b = 3",)
    latin = trees.source("RIGHT", "latin.py")
    assert latin is not None and "caf\ufffd" in latin.text and latin.tree is not None
    assert trees.source("LEFT", "gone.py") is not None
    assert trees.source("RIGHT", "gone.py") is None


def test_bare_repository(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"a.py": "a = 1\n"}, {"a.py": "a = 2\n"})
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo), str(bare)], check=True)
    change, trees = _change(bare)
    assert [d.path for d in change.files] == ["a.py"]
    src = trees.source("RIGHT", "a.py")
    assert src is not None and src.text == "a = 2\n"


def test_working_tree_includes_unstaged_and_untracked(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"a.py": "a = 1\n"}, {"a.py": "a = 2\n"})
    (repo / "a.py").write_text("a = 3\n")
    (repo / "fresh.py").write_text("b = 1\nc = 2\n")
    change, trees = _change(repo, base="main", head=None)
    by = {d.path: d for d in change.files}
    assert by["a.py"].added == {1}
    assert by["fresh.py"].status == "added" and by["fresh.py"].added == {1, 2}
    src = trees.source("RIGHT", "a.py")
    assert src is not None and src.text == "a = 3\n"


def test_symlink_outside_repository_is_skipped_with_notice(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"a.py": "a = 1\n"}, {"a.py": "a = 2\n"})
    outside = tmp_path / "secret.txt"
    outside.write_text("top secret\n")
    (repo / "link.py").symlink_to(outside)
    change, trees = _change(repo, base="main", head=None)
    assert "link.py" not in {d.path for d in change.files}
    assert any(n.path == "link.py" and "outside" in n.message for n in change.notices)
    assert trees.source("RIGHT", "link.py") is None


def test_unknown_ref_and_not_a_repo(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"a.py": "a = 1\n"}, {"a.py": "a = 2\n"})
    with pytest.raises(GitError, match="unknown revision 'nope'"):
        Git(repo).resolve("nope")
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(GitError, match="not a git repository"):
        Git(plain).ensure_repository()


def test_committed_symlinks_are_never_followed(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"a.py": "a = 1\n"}, {"a.py": "a = 2\n"})
    (repo / "escape.py").symlink_to("../../etc/passwd")
    (repo / "abs.py").symlink_to("/etc/hostname")
    (repo / "inside.py").symlink_to("a.py")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "links")
    change, trees = _change(repo)
    assert {d.path for d in change.files} == {"a.py"}
    outside = sorted(n.path or "" for n in change.notices if "outside" in n.message)
    assert outside == ["abs.py", "escape.py"]
    assert trees.source("RIGHT", "escape.py") is None
