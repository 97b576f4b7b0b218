"""Pure parsers for git's diff output: `--raw -z` entries and zero-context unified patches.

Paths are bytes to git. They are decoded here with `surrogateescape`, so a name that is not UTF-8
survives the round trip back to git unchanged (as a pathspec, or as the key that joins the raw
entries to the patch); `display_path` is the form for reports, with U+FFFD for undecodable bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .models import Hunk

_HUNK = re.compile(rb"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}
NULL_SHA = "0" * 40


@dataclass(frozen=True)
class RawEntry:
    """One line of `git diff --raw -z`: modes, blob ids, status letter and paths."""

    old_mode: str
    new_mode: str
    old_sha: str
    new_sha: str
    status: str  # A, D, M, R, C, T
    old_path: str
    new_path: str


def parse_raw(data: bytes) -> list[RawEntry]:
    """Parse NUL-separated `git diff --raw -z --abbrev=40` output."""
    fields = data.split(b"\0")
    entries: list[RawEntry] = []
    i = 0
    while i < len(fields):
        meta = fields[i]
        if not meta.startswith(b":"):
            i += 1
            continue
        parts = meta[1:].decode().split()
        old_mode, new_mode, old_sha, new_sha, status = parts[:5]
        letter = status[0]
        if letter in "RC":
            old_path, new_path = fields[i + 1], fields[i + 2]
            i += 3
        else:
            old_path = new_path = fields[i + 1]
            i += 2
        entries.append(
            RawEntry(
                old_mode=old_mode,
                new_mode=new_mode,
                old_sha=old_sha,
                new_sha=new_sha,
                status=letter,
                old_path=git_path(old_path),
                new_path=git_path(new_path),
            )
        )
    return entries


def git_path(raw: bytes) -> str:
    """A path as git wrote it, decoded losslessly (`os.fsencode` gives the bytes back)."""
    return raw.decode("utf-8", "surrogateescape")


def display_path(path: str) -> str:
    """A path fit for reports: bytes that are not UTF-8 become U+FFFD."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def unquote_path(raw: bytes) -> str:
    """Undo git's C-style quoting of a path ("a/t\\303\\251st" -> a/tést), losslessly."""
    if not raw.startswith(b'"'):
        return git_path(raw)
    body = raw[1:-1].decode("latin-1")
    out = bytearray()
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt in "01234567":
                out.append(int(body[i + 1 : i + 4], 8))
                i += 4
                continue
            out.append(_ESCAPES.get(nxt, ord(nxt)))
            i += 2
            continue
        out.append(ord(ch))
        i += 1
    return git_path(bytes(out))


def _header_name(name: bytes) -> str:
    """The path of a `--- a/x` / `+++ b/x` line. git ends the line with a TAB when the name holds a
    space (so that tools can find where the name ends); a TAB that is part of a name is quoted."""
    if name.endswith(b"\t"):
        name = name[:-1]
    return _strip_prefix(unquote_path(name))


def _strip_prefix(path: str) -> str:
    return path[2:] if path[:2] in ("a/", "b/") else path


def parse_patch(data: bytes) -> dict[str, tuple[Hunk, ...]]:
    """Map each file's head path (base path for deletions) to its hunks, paths as `git_path`.

    Expects `git diff -U0 --src-prefix=a/ --dst-prefix=b/` output. Content lines are decoded as
    UTF-8 with replacement and lose a trailing CR, so CRLF files diff like LF files.
    """
    result: dict[str, tuple[Hunk, ...]] = {}
    current: str | None = None
    old_name: str | None = None
    hunks: list[Hunk] = []
    header: tuple[int, int, int, int] | None = None
    removed: list[str] = []
    added: list[str] = []

    def close_hunk() -> None:
        nonlocal header, removed, added
        if header is not None:
            hunks.append(Hunk(*header, removed=tuple(removed), added=tuple(added)))
        header, removed, added = None, [], []

    def close_file() -> None:
        nonlocal hunks, current
        close_hunk()
        if current is not None:
            result[current] = tuple(hunks)
        hunks, current = [], None

    for line in data.split(b"\n"):
        if line.startswith(b"diff --git "):
            close_file()
            old_name = None
            continue
        if header is None:
            if line.startswith(b"--- "):
                name = line[4:]
                old_name = None if name.rstrip(b"\t") == b"/dev/null" else _header_name(name)
                continue
            if line.startswith(b"+++ "):
                name = line[4:]
                current = old_name if name.rstrip(b"\t") == b"/dev/null" else _header_name(name)
                continue
        match = _HUNK.match(line)
        if match and current is not None:
            close_hunk()
            a, b, c, d = match.groups()
            header = (int(a), 1 if b is None else int(b), int(c), 1 if d is None else int(d))
            continue
        if header is None:
            continue
        text = line[1:].decode("utf-8", "replace").rstrip("\r")
        if line.startswith(b"-"):
            removed.append(text)
        elif line.startswith(b"+"):
            added.append(text)
    close_file()
    return result
