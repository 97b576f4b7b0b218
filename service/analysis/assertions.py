"""Matching a test's assertions before and after a change, for the weakened-assertion detector.

Language-neutral: an assertion is anything with a normalised `text`, a `subject`, a strength
`kind` and a head/base `line`; each language classifies its own assertions. `Test` is the view of
one test that the detector reads, whatever the language calls it (a `test_*` function, an
`it(...)` block); `ChangeFacts` is what the whole change tells a language about its tests.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Generic, NamedTuple, Protocol, TypeVar

from tree_sitter import Node

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
class Test:
    """One test as the weakened-assertion detector reads it."""

    label: str  # how messages name it: "`test_total`" or "'computes the total'"
    qualname: str  # its identity within the file
    start: Node  # its first node (a Python decorator, the `it(...)` call)
    node: Node  # the definition: its last line ends the test
    body: Node | None  # where its assertions are read
    raw: object  # the language's own record (`TestFunc`, `Block`)


@dataclass(frozen=True)
class ChangeFacts:
    """What the whole change says about the code under test, for one language."""

    gone: set[str]  # names the change removes from the source
    flag_values: bool  # whether a changed expected value is questioned at all
    described: str = ""  # the description's words announcing a behaviour change ("" when none)
    deprecated: set[str] = field(default_factory=set)  # functions the change makes warn
    params: set[str] = field(default_factory=set)  # parameters the change removes from signatures
    migrating: bool = False  # the description announces a move to another test runner


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


def absorbed(mine: set[str], spare: list[set[str]]) -> bool:
    """True when one new exact check names everything a lost one looked at (assertions merged)."""
    return bool(mine) and any(mine <= theirs for theirs in spare)


def in_added_test(text: str, base_names: set[str], tests: Iterable[tuple[str, Sequence[_Assertion]]]) -> bool:
    """An assertion with this (normalised) text stands in a test whose name the base did not have
    (a test split up): `tests` are (qualified name, assertions) of the head file."""
    return any(text == c.text for name, found in tests if name not in base_names for c in found)


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
