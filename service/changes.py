"""Collect a change between two commits (or a commit and the working tree) into FileDiffs.

The files of either side are read through `Trees` (module `trees`, re-exported here).
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass, field
from pathlib import Path

from .diff import NULL_SHA, RawEntry, display_path, git_path, parse_patch, parse_raw
from .gitrepo import Git
from .models import FileDiff, Hunk, Notice
from .trees import GITLINK, MAX_FILE_BYTES, SYMLINK, Trees, decode, is_binary

__all__ = ["MAX_FILE_BYTES", "Change", "Trees", "collect", "decode", "is_binary"]


@dataclass
class Change:
    base: str
    head: str  # a sha, or "WORKTREE"
    files: list[FileDiff] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)


_STATUS = {"A": "added", "D": "deleted", "M": "modified", "R": "renamed", "C": "copied", "T": "modified"}


def collect(git: Git, base: str, head: str | None, trees: Trees) -> Change:
    """The FileDiffs of base..head (head None: the working tree, untracked files included)."""
    common = ["--no-color", "--no-ext-diff", "--no-textconv", "-M", "--abbrev=40"]
    revs = [base] if head is None else [base, head]
    entries = parse_raw(git.run("diff", "--raw", "-z", *common, *revs))
    change = Change(base=base, head=head or "WORKTREE")
    if head is None:
        entries += _untracked(git)
    listing_right = trees.listing("RIGHT")
    listing_left = trees.listing("LEFT")
    patchable: list[RawEntry] = []
    for entry in entries:
        mode = entry.new_mode if entry.status != "D" else entry.old_mode
        path = display_path(entry.new_path)
        if mode == GITLINK:
            change.notices.append(Notice("not reviewed: a submodule", path, unreviewed=True))
            continue
        if SYMLINK in (entry.old_mode, entry.new_mode):
            if head is None and entry.status != "D":
                _note_symlink(git, entry.new_path, change)
            elif entry.status != "D" and entry.new_mode == SYMLINK:
                _note_committed_symlink(git, entry, change)
            continue
        side_listing = listing_left if entry.status == "D" else listing_right
        meta = side_listing.get(display_path(entry.old_path) if entry.status == "D" else path)
        if meta and meta[2] > trees.max_bytes:
            change.notices.append(Notice(f"skipped: {meta[2]:,} bytes is over the {trees.max_bytes:,}-byte cap",
                                         path, unreviewed=True))
            continue
        patchable.append(entry)
    hunks = _patches(git, base, head, patchable, common)
    # Files git showed no hunks for although their text changed: a `-diff`/`binary` attribute from a
    # .gitattributes (the PR's own, in a checkout) does that. Their patch again, as text.
    lost = [e for e in patchable if _key(e) not in hunks and _content_changed(e, trees)]
    hunks.update(_patches(git, base, head, lost, [*common, "--text"]))
    for entry in patchable:
        key = _key(entry)
        path = display_path(key)
        fh = hunks.get(key, ())
        status = _STATUS.get(entry.status, "modified")
        binary = False
        if not fh and entry.status in "AMRC" and entry.old_mode != entry.new_mode and entry.status == "M":
            status = "mode"
        elif not fh and entry.status in "AMT" and not _is_empty_blob(entry):
            src = trees.raw("RIGHT", path)
            binary = src is not None and is_binary(src)
            if binary:
                status = "binary"
                change.notices.append(Notice("skipped: binary file", path, unreviewed=True))
        if not fh and entry in lost:
            change.notices.append(Notice("not reviewed: git's diff of this file could not be read", path,
                                         unreviewed=True))
        change.files.append(
            FileDiff(
                path=path,
                old_path=None if entry.status == "A" else display_path(entry.old_path),
                status=status,  # type: ignore[arg-type]
                hunks=fh,
                binary=binary,
                old_mode=None if entry.status == "A" else entry.old_mode,
                new_mode=None if entry.status == "D" else entry.new_mode,
            )
        )
    return change


def _key(entry: RawEntry) -> str:
    return entry.old_path if entry.status == "D" else entry.new_path


def _is_empty_blob(entry: RawEntry) -> bool:
    return entry.new_sha == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"


def _content_changed(entry: RawEntry, trees: Trees) -> bool:
    """Whether a file the patch gave no hunks for has text that differs between the two sides (then
    its change was lost between git's raw listing and its patch, and the file went unreviewed)."""
    if entry.status != "A" and entry.old_sha == entry.new_sha and entry.new_sha != NULL_SHA:
        return False  # a pure rename or copy, or a mode change
    old = b"" if entry.status == "A" else trees.raw("LEFT", display_path(entry.old_path))
    new = b"" if entry.status == "D" else trees.raw("RIGHT", display_path(entry.new_path))
    if old is None or new is None or is_binary(old) or is_binary(new):
        return False
    return decode(old).splitlines() != decode(new).splitlines()


def _patches(git: Git, base: str, head: str | None, entries: list[RawEntry],
             common: list[str]) -> dict[str, tuple[Hunk, ...]]:
    if not entries:
        return {}
    revs = [base] if head is None else [base, head]
    specs: list[str] = []
    for entry in entries:
        specs.append(f":(literal){entry.new_path}")
        if entry.old_path != entry.new_path:
            specs.append(f":(literal){entry.old_path}")
    out = git.run("diff", "-U0", "--src-prefix=a/", "--dst-prefix=b/", *common, *revs, "--", *specs)
    result = parse_patch(out)
    untracked = [e for e in entries if e.status == "A" and e.old_sha == NULL_SHA and head is None]
    for entry in untracked:
        if entry.new_path not in result:
            result[entry.new_path] = _whole_file_hunk(git, entry.new_path)
    return result


def _whole_file_hunk(git: Git, path: str) -> tuple[Hunk, ...]:
    full = git.toplevel / path
    data = full.read_bytes()
    if is_binary(data):
        return ()
    lines = decode(data).splitlines()
    return (Hunk(0, 0, 1, len(lines), added=tuple(lines)),) if lines else ()


def _untracked(git: Git) -> list[RawEntry]:
    out = git.run("ls-files", "-z", "--others", "--exclude-standard")
    entries = []
    for raw in out.split(b"\0"):
        if raw:
            name = git_path(raw)
            mode = SYMLINK if (git.toplevel / name).is_symlink() else "100644"
            entries.append(RawEntry("000000", mode, NULL_SHA, NULL_SHA, "A", name, name))
    return entries


def _note_committed_symlink(git: Git, entry: RawEntry, change: Change) -> None:
    """A committed symlink is never followed; one whose target leaves the repository is reported."""
    target = git.cat_blobs([entry.new_sha]).get(entry.new_sha, b"").decode("utf-8", "replace")
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(entry.new_path), target))
    if target.startswith("/") or resolved == ".." or resolved.startswith("../"):
        change.notices.append(Notice("skipped: symlink points outside the repository",
                                     display_path(entry.new_path), unreviewed=True))


def _note_symlink(git: Git, path: str, change: Change) -> None:
    full = git.toplevel / path
    if full.is_symlink():
        target = Path(os.path.realpath(full))
        root = Path(os.path.realpath(git.toplevel))
        if root not in target.parents and target != root:
            change.notices.append(Notice("skipped: symlink points outside the repository", display_path(path),
                                         unreviewed=True))
