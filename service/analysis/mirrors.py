"""Mirrored files: one file kept at two paths of a repository (a generated `deno/lib/types.ts`
beside its `src/types.ts`, a vendored copy), whose functions repeat each other by construction.

Two files are mirrors when they have the same name in different directories and at least
`MIRROR_SHARE` of the shorter one's non-blank lines (stripped) also occur in the other. A function
that repeats a function of its file's mirror is the mirror's copy, not a copy the change wrote
(detectors/bloat), and a finding in one file of a changed pair repeats in the other
(`service/mirrored.py`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from ..detector import RepoView

MIRROR_SHARE = 0.9
MIN_LINES = 20  # shorter files (an index re-exporting a few names) say too little


class Mirrors:
    """Answers "are these two paths mirrors?" for one side of one change, each file read once;
    `read` gives a path's text (None when the side has no such file)."""

    def __init__(self, read: Callable[[str], str | None]) -> None:
        self._read = read
        self._lines: dict[str, Counter[str] | None] = {}
        self._pairs: dict[tuple[str, str], bool] = {}

    def __call__(self, a: str, b: str) -> bool:
        if a == b or a.rsplit("/", 1)[-1] != b.rsplit("/", 1)[-1]:  # not the same file name
            return False
        key = (a, b) if a < b else (b, a)
        if key not in self._pairs:
            self._pairs[key] = self._mirrored(*key)
        return self._pairs[key]

    def _mirrored(self, a: str, b: str) -> bool:
        la, lb = self._text_lines(a), self._text_lines(b)
        if la is None or lb is None:
            return False
        shorter = min(sum(la.values()), sum(lb.values()))
        if shorter < MIN_LINES:
            return False
        return sum((la & lb).values()) >= MIRROR_SHARE * shorter

    def _text_lines(self, path: str) -> Counter[str] | None:
        if path not in self._lines:
            text = self._read(path)
            self._lines[path] = (None if text is None
                                 else Counter(s for s in (line.strip() for line in text.splitlines()) if s))
        return self._lines[path]


def head_text(repo: RepoView) -> Callable[[str], str | None]:
    """The reader of a change's head files, for `Mirrors`."""
    def read(path: str) -> str | None:
        src = repo.source("RIGHT", path)
        return None if src is None else src.text
    return read
