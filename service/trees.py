"""`Trees`: the RepoView detectors use to read and parse any file of either side of a change,
lazily, once, with binary files and files over the size cap left out.

A file read only to compute a value kept by blob id (`derived`) does not keep its syntax tree
for the whole scan (see `Trees._for_build`).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any, TypeVar, cast

from .blobcache import BlobCache
from .blobindex import KeysOf, matching
from .diff import NULL_SHA, display_path, git_path
from .gitrepo import Git
from .models import Side
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
KEPT_TREE_BYTES = 1_500_000  # source bytes of the copies `derived` keeps with their trees (a tree: ~40x)
SYMLINK = "120000"
GITLINK = "160000"


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
        self._scratch: OrderedDict[tuple[Side, str], SourceFile] = OrderedDict()  # see `_for_build`
        self._scratch_bytes = 0
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
                self._listing[side] = self.git.ls_tree(commit, self.cache)
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
                files[name] = (SYMLINK, NULL_SHA, 0)
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
        size = self.memo(f"tree-bytes.{side}", lambda: sum(e[2] for e in self.listing(side).values()))
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
        return self.memo(f"regular.{side}", lambda: {p: e[1] for p, e in self.listing(side).items()
                                                     if e[0] not in (SYMLINK, GITLINK)})

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
        if entry is None or entry[0] in (SYMLINK, GITLINK) or entry[2] > self.max_bytes:
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
                                    listing[p][0] not in (SYMLINK, GITLINK) and listing[p][2] <= self.max_bytes])
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
        if entry is None or entry[0] in (SYMLINK, GITLINK) or entry[2] > self.max_bytes:
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
        result = None
        if src is not None:
            copy = self._for_build(side, path, src)
            result = build(copy)
            if copy is not src and copy.parsed:
                self._keep(side, path, copy)
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

    def _for_build(self, side: Side, path: str, src: SourceFile) -> SourceFile:
        """The file a `derived` build reads: the scan's own object when it holds its tree already,
        else a copy, whose tree goes with it (`_keep`). So a scan that derives values from thousands
        of files never holds thousands of trees, and the scan's object never gets a tree here (a
        caller holding nodes of it keeps seeing one tree)."""
        if src.parsed:
            return src
        return self._scratch.get((side, path)) or replace(src)

    def _keep(self, side: Side, path: str, copy: SourceFile) -> None:
        """Keep the copies (and trees) of the last files built from, within KEPT_TREE_BYTES of
        source: a file asked about twice in a row is parsed once."""
        old = self._scratch.pop((side, path), None)
        self._scratch_bytes += len(copy.data) - (len(old.data) if old is not None else 0)
        self._scratch[(side, path)] = copy
        while self._scratch_bytes > KEPT_TREE_BYTES and len(self._scratch) > 1:
            _, dropped = self._scratch.popitem(last=False)
            self._scratch_bytes -= len(dropped.data)

    @staticmethod
    def _make(path: str, data: bytes | None) -> SourceFile | None:
        if data is None or is_binary(data):
            return None
        return parse_source(path, decode(data))
