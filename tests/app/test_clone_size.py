"""The App clone cache's size (service/app/clones.py `size`): what git removes while it is walked
is not counted; any other error reading the folder is raised, not taken for an empty folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from slopguard.app import clones


def _cache(root: Path) -> Path:
    (root / "objects" / "pack").mkdir(parents=True)
    (root / "HEAD").write_bytes(b"x" * 10)
    (root / "objects" / "pack" / "a.pack").write_bytes(b"x" * 1000)
    (root / "objects" / "pack" / "b.pack").write_bytes(b"x" * 100)
    os.symlink(root / "HEAD", root / "link")  # a link is not counted
    return root


def test_size_counts_regular_files_only(tmp_path: Path) -> None:
    assert clones.size(_cache(tmp_path / "c")) == 1110


def test_a_file_git_removes_during_the_walk_is_not_counted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _cache(tmp_path / "c")
    real = os.lstat

    def lstat(path: str | os.PathLike[str]) -> os.stat_result:
        if str(path).endswith("b.pack"):
            raise FileNotFoundError(path)  # a repack by another worker removed it
        return real(path)

    monkeypatch.setattr(os, "lstat", lstat)
    assert clones.size(root) == 1010


def test_a_folder_that_cannot_be_read_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _cache(tmp_path / "c")
    real = os.scandir

    def scandir(path: str) -> object:
        if str(path).endswith("pack"):
            raise PermissionError(13, "Permission denied", path)
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    with pytest.raises(PermissionError):
        clones.size(root)
