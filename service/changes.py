"""Collect a change between two commits (or a commit and the working tree) into FileDiffs.

Also provides `Trees`, the RepoView detectors use to read and parse any file of either side,
lazily, once, with binary files and files over the size cap left out.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

from .blobcache import BlobCache
from .blobindex import KeysOf, matching
from .diff import NULL_SHA, RawEntry, display_path, git_path, parse_patch, parse_raw
from .gitrepo import Git
from .models import FileDiff, Hunk, Notice, Side
from .parsing import SourceFile, language_for_path, parse_source
from .repo_search import (
    GREP_BUDGET,
    IDENTIFIER_CHARS,
    INDEXED_TREE_BYTES,
    SMALL_TREE_BYTES,
    TokenIndex,
    grep_files,
    indexed_grep,
    search_blobs,
    token_index,
)

T = TypeVar("T")
MAX_FILE_BYTES = 1_000_000
_SYMLINK = "120000"
_GITLINK = "160000"


def decode(data: bytes) -> str:
    """Text of a blob: UTF-8 (BOM dropped) with replacement for anything else; CRLF kept."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.decode("utf-8", "replace")


def is_binary(data: bytes) -> bool:
    return b"\0" in data[:8000]


class Trees:
    """Both sides of the change, read from git objects (or the working tree for the head)."""

    def __init__(self, git: Git, base: str, head: str | None, max_bytes: int = MAX_FILE_BYTES,
                 cache: BlobCache | None = None):
        self.git = git
        self.cache = cache
        self.base = base
        self.head = head  # None: the working tree
        self.max_bytes = max_bytes
        self._listing: dict[Side, dict[str, tuple[str, str, int]]] = {}
        self._parsed: dict[tuple[Side, str], SourceFile | None] = {}
        self._memo: dict[str, Any] = {}
        self._derived: dict[tuple[str, str], Any] = {}
        self._blobs: dict[Side, dict[str, bytes]] = {}
        self._tokens: dict[tuple[Side, str], TokenIndex] = {}
        self._asked: dict[Side, int] = {}
        self._grep: dict[tuple[Side, tuple[str, ...], str, str], frozenset[str]] = {}
        self._root = git.toplevel if head is None else None
        self._on_disk: dict[str, str] = {}  # working tree: display path -> the name as git has it

    def listing(self, side: Side) -> dict[str, tuple[str, str, int]]:
        if side not in self._listing:
            if side == "RIGHT" and self.head is None:
                self._listing[side] = self._worktree_listing()
            else:
                commit = self.base if side == "LEFT" else self.head
                assert commit is not None
                self._listing[side] = self.git.ls_tree(commit)
        return self._listing[side]

    def _worktree_listing(self) -> dict[str, tuple[str, str, int]]:
        assert self._root is not None
        out = self.git.run("ls-files", "-z", "--cached", "--others", "--exclude-standard")
        files: dict[str, tuple[str, str, int]] = {}
        for raw in out.split(b"\0"):
            if not raw:
                continue
            name = display_path(git_path(raw))
            full = self._root / git_path(raw)
            self._on_disk[name] = git_path(raw)
            if full.is_symlink():
                files[name] = (_SYMLINK, NULL_SHA, 0)
            elif full.is_file():
                files[name] = ("100644", NULL_SHA, full.stat().st_size)
        return files

    def memo(self, key: str, build: Callable[[], T]) -> T:
        """A value computed once per scan (a detector's repository index), dropped with the scan."""
        if key not in self._memo:
            self._memo[key] = build()
        return cast(T, self._memo[key])

    def paths(self, side: Side) -> list[str]:
        return sorted(self.listing(side))

    def files_containing(self, side: Side, patterns: Iterable[str], *, mode: str = "identifier",
                         word_chars: str = IDENTIFIER_CHARS) -> frozenset[str]:
        """Paths of one side whose bytes contain one of `patterns` (see `repo_search`)."""
        wanted = tuple(sorted(set(patterns)))
        key = (side, wanted, mode, word_chars)
        if key not in self._grep:
            listing = self.listing(side)
            found = self._search(side, wanted, mode, word_chars)
            self._grep[key] = frozenset(p for p in found if p in listing)
        return self._grep[key]

    def _search(self, side: Side, wanted: tuple[str, ...], mode: str, word_chars: str) -> set[str]:
        size = sum(e[2] for e in self.listing(side).values())
        self._asked[side] = self._asked.get(side, 0) + 1
        # with a cache folder, the table's tokens are kept by blob id: built once per repository
        budget = 0 if self.cache is not None else GREP_BUDGET
        if mode == "identifier" and (size <= SMALL_TREE_BYTES or (
                size <= INDEXED_TREE_BYTES and self._asked[side] > budget)):
            if (side, word_chars) not in self._tokens:
                self._tokens[(side, word_chars)] = token_index(
                    self._regular(side), lambda paths: self._read_blobs(side, paths), lambda: self._all_blobs(side),
                    self.cache, word_chars, self.memo(f"tokens.{word_chars}", dict))  # blob -> tokens, both sides
            return self._tokens[(side, word_chars)].lookup(wanted)
        if mode == "fixed" and size <= SMALL_TREE_BYTES:
            return search_blobs(self._all_blobs(side), wanted, mode=mode, word_chars=word_chars)
        commit = self.base if side == "LEFT" else self.head
        if mode == "identifier" or commit is None or self.cache is None:
            return grep_files(self.git, commit, wanted, mode=mode, word_chars=word_chars)
        return indexed_grep(self.git, commit, self._regular(side), wanted, mode, self.cache.keys())

    def _regular(self, side: Side) -> dict[str, str]:
        """Path -> blob id of the regular files of one side (NULL_SHA: a file of the working tree)."""
        return {p: e[1] for p, e in self.listing(side).items() if e[0] not in (_SYMLINK, _GITLINK)}

    def _all_blobs(self, side: Side) -> dict[str, bytes]:
        """Every regular file of a small side, read once (cheaper than a `git grep` per question)."""
        if side not in self._blobs:
            self._blobs[side] = self._read_blobs(side, list(self._regular(side)))
        return self._blobs[side]

    def _read_blobs(self, side: Side, paths: list[str]) -> dict[str, bytes]:
        if side in self._blobs:
            return {p: self._blobs[side][p] for p in paths}
        if side == "RIGHT" and self.head is None:
            assert self._root is not None
            return {p: (self._root / self._on_disk.get(p, p)).read_bytes() for p in paths}
        listing = self.listing(side)
        blobs = self.git.cat_blobs([listing[p][1] for p in paths])
        return {p: blobs.get(listing[p][1], b"") for p in paths}

    def raw(self, side: Side, path: str) -> bytes | None:
        entry = self.listing(side).get(path)
        if entry is None or entry[0] in (_SYMLINK, _GITLINK) or entry[2] > self.max_bytes:
            return None
        if side == "RIGHT" and self.head is None:
            assert self._root is not None
            return (self._root / self._on_disk.get(path, path)).read_bytes()
        return self.git.cat_blobs([entry[1]]).get(entry[1])

    def prefetch(self, side: Side, paths: list[str]) -> None:
        """Read and parse many files of one side with a single git process."""
        wanted = [p for p in paths if (side, p) not in self._parsed]
        if not wanted:
            return
        if side == "RIGHT" and self.head is None:
            for path in wanted:
                self.source(side, path)
            return
        listing = self.listing(side)
        blobs = self.git.cat_blobs([listing[p][1] for p in wanted if p in listing and
                                    listing[p][0] not in (_SYMLINK, _GITLINK) and listing[p][2] <= self.max_bytes])
        for path in wanted:
            entry = listing.get(path)
            data = blobs.get(entry[1]) if entry else None
            self._parsed[(side, path)] = self._make(path, data)

    def derived(self, side: Side, path: str, kind: str, build: Callable[[SourceFile], T]) -> T | None:
        """`build(source)` of one file (None when the file is absent, binary or too large),
        computed once per blob: remembered for the scan and, with a cache folder, on disk by blob
        id, so the file is not parsed again by a later scan. `build` must be a pure function of
        the file's content and language returning plain data (tuples, lists, str, bytes, int)."""
        entry = self.listing(side).get(path)
        if entry is None or entry[0] in (_SYMLINK, _GITLINK) or entry[2] > self.max_bytes:
            return None
        blob = entry[1]
        key = f"{kind}.{language_for_path(path)}"
        memo_key = (key, blob) if blob != NULL_SHA else (key, f"{side}:{path}")
        if memo_key in self._derived:
            return cast(T, self._derived[memo_key])
        if self.cache is not None and blob != NULL_SHA:
            hit, value = self.cache.get(key, blob)
            if hit:
                self._derived[memo_key] = value
                return cast(T, value)
        src = self.source(side, path)
        result = build(src) if src is not None else None
        self._derived[memo_key] = result
        if self.cache is not None and blob != NULL_SHA:
            self.cache.put(key, blob, result)
        return result

    def cached_paths(self, side: Side, paths: list[str], kind: str) -> set[str]:
        """Those of `paths` whose `derived(kind)` value is already known (in memory or on disk):
        what a batch read before many `derived` calls may leave out."""
        listing, cache, known = self.listing(side), self.cache, set()
        asked: dict[str, list[tuple[str, str]]] = {}  # key -> (path, blob) to read from the cache
        for path in (p for p in paths if p in listing):
            key, blob = f"{kind}.{language_for_path(path)}", listing[path][1]
            if (key, blob) in self._derived:
                known.add(path)
            elif cache is not None and blob != NULL_SHA:
                asked.setdefault(key, []).append((path, blob))
        for key, wanted in asked.items():
            stored = cache.get_many(key, [blob for _, blob in wanted]) if cache is not None else {}
            for path, blob in wanted:
                if blob in stored:
                    self._derived[(key, blob)] = stored[blob]
                    known.add(path)
        return known

    def with_keys(self, side: Side, paths: list[str], kind: str, keys: KeysOf, wanted: set[int]) -> list[str]:
        """Those of `paths` (in order) whose `keys(path)` meet `wanted` (see `blobindex.matching`)."""
        listing = self.listing(side)
        files = {p: (f"{kind}.{language_for_path(p)}", None if listing[p][1] == NULL_SHA else listing[p][1])
                 for p in paths if p in listing}
        found = matching(self.cache.keys() if self.cache is not None else None, files, keys, wanted)
        return [p for p in paths if p in found]

    def source(self, side: Side, path: str) -> SourceFile | None:
        key = (side, path)
        if key not in self._parsed:
            self._parsed[key] = self._make(path, self.raw(side, path))
        return self._parsed[key]

    @staticmethod
    def _make(path: str, data: bytes | None) -> SourceFile | None:
        if data is None or is_binary(data):
            return None
        return parse_source(path, decode(data))


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
        if mode == _GITLINK:
            change.notices.append(Notice("not reviewed: a submodule", path, unreviewed=True))
            continue
        if _SYMLINK in (entry.old_mode, entry.new_mode):
            if head is None and entry.status != "D":
                _note_symlink(git, entry.new_path, change)
            elif entry.status != "D" and entry.new_mode == _SYMLINK:
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
            mode = _SYMLINK if (git.toplevel / name).is_symlink() else "100644"
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
