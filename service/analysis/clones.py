"""Language-neutral clone detection: windows of normalised lines hashed across code units.

A unit (usually a function) is a list of normalised source lines (identifiers and literals
abstracted by the language-specific caller). Every window of `size` consecutive lines is hashed;
windows that are too trivial (few tokens, few distinct line shapes) are ignored. A unit is a
clone of another when their shared windows cover at least `need` of its lines.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")

MIN_WINDOW_CHARS = 5  # average normalised characters per line of a window
MIN_DISTINCT_SHAPES = 4


@dataclass(eq=False)
class Unit(Generic[T]):
    """One code unit: `item` is the caller's own record (a function node with its path...)."""

    item: T
    path: str
    start: int  # start byte, to tell nesting apart
    end: int
    lines: list[int]  # source line of each normalised line
    hashes: list[int]
    texts: list[str]  # the normalised lines
    added: bool = False
    windows: list[int] = field(default_factory=list)
    _sizes: list[int] | None = None

    def contains(self, other: Unit[T]) -> bool:
        return self.path == other.path and self.start <= other.start and other.end <= self.end

    @property
    def sizes(self) -> list[int]:
        """Characters of each normalised line (blanks excluded), computed when a window is."""
        if self._sizes is None:
            self._sizes = [len(t.replace(" ", "")) for t in self.texts]
        return self._sizes


def make_unit(item: T, path: str, start: int, end: int, lines: list[tuple[int, str]]) -> Unit[T]:
    return Unit(
        item=item, path=path, start=start, end=end,
        lines=[n for n, _ in lines],
        hashes=[hash(t) for _, t in lines],
        texts=[t for _, t in lines],
    )


def _windows(unit: Unit[T], size: int, shapes: set[int] | None = None) -> list[int]:
    """The hash of each window of `size` lines (0: too trivial to count). With `shapes`, only the
    windows made entirely of those line shapes are hashed (the others cannot match a target)."""
    out = []
    run = 0
    hashes = unit.hashes
    for i in range(len(hashes)):
        run = run + 1 if shapes is None or hashes[i] in shapes else 0
        start = i - size + 1
        if start < 0:
            continue
        if run < size:
            out.append(0)
            continue
        chunk = hashes[start : i + 1]
        if sum(unit.sizes[start : i + 1]) < MIN_WINDOW_CHARS * size or len(set(chunk)) < MIN_DISTINCT_SHAPES:
            out.append(0)
        else:
            out.append(hash(tuple(chunk)))
    return out


def index(units: Iterable[Unit[T]], size: int, max_bucket: int | None = None,
          targets: Iterable[Unit[T]] | None = None) -> dict[int, list[Unit[T]]]:
    """Hash every unit's windows; returns the window table, keeping at most `max_bucket` units
    per window. With `targets` (the units `matches` will be asked about), only the windows some
    target has are kept, and a unit without `size` lines shaped like a target's is not hashed:
    the answers for the targets are the same, at a fraction of the cost in a large repository."""
    wanted: set[int] | None = None
    shapes: set[int] = set()
    if targets is not None:
        wanted = set()
        for target in targets:
            target.windows = _windows(target, size)
            wanted.update(target.windows)
            shapes.update(target.hashes)
        wanted.discard(0)
    table: dict[int, list[Unit[T]]] = defaultdict(list)
    for unit in units:
        if wanted is not None and not unit.windows:
            if not _run_of(unit.hashes, shapes, size):
                continue  # no window of this unit can be one of the targets'
            unit.windows = _windows(unit, size, shapes)
        elif wanted is None:
            unit.windows = _windows(unit, size)
        for h in set(unit.windows):
            if h and (wanted is None or h in wanted) and (max_bucket is None or len(table[h]) < max_bucket):
                table[h].append(unit)
    return table


def window_key_list(texts: list[str], size: int) -> list[int | None]:
    """The key of each window of `size` normalised lines, by its first line, that `index` hashes
    (None for a trivial one), the same in every process: a file whose functions have none of a
    target's keys cannot hold a match for it, so a repository-wide index of these keys names the
    files worth reading. (No window `index` hashes is left out here: line shapes are told apart by
    text, not by hash.)"""
    codes = line_codes(texts)
    sizes = [len(t.replace(" ", "")) for t in texts]
    least, shapes = MIN_WINDOW_CHARS * size, MIN_DISTINCT_SHAPES
    return [hash(tuple(codes[start : start + size]))
            if sum(sizes[start : start + size]) >= least and len(set(texts[start : start + size])) >= shapes
            else None
            for start in range(len(texts) - size + 1)]


def window_keys(texts: list[str], size: int) -> set[int]:
    """The keys of `window_key_list`, trivial windows left out."""
    return {key for key in window_key_list(texts, size) if key is not None}


def plain_window_keys(texts: list[str], size: int) -> list[int]:
    """The key of every window of `size` lines, by its first line, trivial or not (a coarser
    filter's keys: the same in every process)."""
    codes = line_codes(texts)
    return [hash(tuple(codes[start : start + size])) for start in range(len(texts) - size + 1)]


def line_codes(texts: list[str]) -> list[int]:
    """The code of each line that `plain_window_keys` hashes windows of."""
    return [zlib.crc32(t.encode("utf-8", "surrogatepass")) for t in texts]


def code_window_keys(codes: list[int], size: int) -> set[int]:
    """The keys of `plain_window_keys` from the lines' codes (`line_codes`)."""
    return {hash(tuple(codes[start : start + size])) for start in range(len(codes) - size + 1)}


def _run_of(hashes: list[int], shapes: set[int], size: int) -> bool:
    """`size` consecutive line shapes that all occur in `shapes`."""
    run = 0
    for h in hashes:
        run = run + 1 if h in shapes else 0
        if run >= size:
            return True
    return False


def matches(unit: Unit[T], table: dict[int, list[Unit[T]]], size: int, need: int,
            compatible: Callable[[Unit[T], Unit[T]], bool] = lambda a, b: True) -> list[tuple[Unit[T], set[int]]]:
    """Other units sharing windows that cover at least `need` lines of `unit`, best first."""
    covered: dict[int, set[int]] = defaultdict(set)
    others: dict[int, Unit[T]] = {}
    for i, h in enumerate(unit.windows):
        if not h:
            continue
        for other in table.get(h, ()):
            if other is unit or other.contains(unit) or unit.contains(other) or not compatible(unit, other):
                continue
            covered[id(other)].update(range(i, i + size))
            others[id(other)] = other
    found = [(others[k], cov) for k, cov in covered.items() if len(cov) >= need]
    return sorted(found, key=lambda m: (-len(m[1]), m[0].path, m[0].start))


def pick_original(unit: Unit[T], found: list[tuple[Unit[T], set[int]]]) -> tuple[Unit[T], set[int]] | None:
    """Prefer an existing unit; among added ones only an earlier one makes `unit` the copy."""
    existing = [m for m in found if not m[0].added]
    if existing:
        return existing[0]
    earlier = [m for m in found if (m[0].path, m[0].start) < (unit.path, unit.start)]
    if not earlier:
        return None
    return min(earlier, key=lambda m: (m[0].path, m[0].start))


# How many existing units must already share a block before it counts as the repository's idiom.
IDIOM_COPIES = 3
IDIOM_SHARE = 0.8  # ...and at most this share of the new unit is the shared block


def is_idiom(unit: Unit[T], found: list[tuple[Unit[T], set[int]]]) -> bool:
    """True when the shared block is one the repository already repeats on purpose: at least
    `IDIOM_COPIES` units that the change did not add contain it (a lookup-or-404, a route
    skeleton) and it is only part of `unit`. A whole-unit copy is reported however common."""
    existing = [cov for other, cov in found if not other.added]
    best = max((len(cov) for cov in existing), default=0)
    return len(existing) >= IDIOM_COPIES and best < IDIOM_SHARE * len(unit.lines)
