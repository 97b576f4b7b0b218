"""Matching a test's assertions before and after a change, for the weakened-assertion detectors.

Language-neutral: an assertion is anything with a normalised `text`, a `subject`, a strength
`kind` and a head/base `line`; each language classifies its own assertions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, NamedTuple, Protocol, TypeVar

from ..models import FileDiff


class _Assertion(Protocol):
    @property
    def kind(self) -> str: ...

    @property
    def subject(self) -> str: ...

    @property
    def text(self) -> str: ...

    @property
    def line(self) -> int: ...


C = TypeVar("C", bound=_Assertion)


@dataclass(frozen=True)
class Pair(Generic[C]):
    """A removed assertion and the added one that replaced it."""

    base: C
    head: C


class Matching(NamedTuple, Generic[C]):
    """How the assertions of one test changed: removed, added, and removed ones paired with their
    replacement."""

    lost: list[C]
    fresh: list[C]
    pairs: list[Pair[C]]


def match_checks(diff: FileDiff, before: list[C], after: list[C],
          comparable: Callable[[C, C], bool]) -> Matching[C]:
    lost = _unmatched(before, after, diff.removed)
    fresh = _unmatched(after, before, diff.added)
    return Matching(lost, fresh, _pair(diff, lost, fresh, comparable))


def _unmatched(mine: list[C], theirs: list[C], changed: frozenset[int]) -> list[C]:
    """The assertions of `mine` with no identical one in `theirs`, on changed lines."""
    pool = Counter(c.text for c in theirs)
    out = []
    for check in mine:
        if pool[check.text] > 0:
            pool[check.text] -= 1
        elif check.line in changed:
            out.append(check)
    return out


def _pair(diff: FileDiff, lost: list[C], fresh: list[C], comparable: Callable[[C, C], bool]) -> list[Pair[C]]:
    """Pair a removed assertion with the added one that replaced it: same subject, else same hunk
    (and `comparable`)."""
    pairs: list[Pair[C]] = []
    free = list(fresh)
    waiting = list(lost)
    for old in lost:
        twin = next((h for h in free if old.subject and h.subject == old.subject), None)
        if twin is not None:
            free.remove(twin)
            waiting.remove(old)
            pairs.append(Pair(old, twin))
    for old in waiting:
        twin = next((h for h in free if _same_hunk(diff, old.line, h.line) and comparable(old, h)), None)
        if twin is not None:
            free.remove(twin)
            pairs.append(Pair(old, twin))
    return pairs


def _same_hunk(diff: FileDiff, old_line: int, new_line: int) -> bool:
    return any(old_line in h.removed_lines and new_line in h.added_lines for h in diff.hunks)
