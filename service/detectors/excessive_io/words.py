"""Name heuristics of the excessive-io loops as data: the alternatives of each pattern are the entries
of a list in `rules/data/excessive-io.yml` (bundled lists: the loop helpers have no repository), and
the `Excuse` a loop gets from structure or, at most as a hint, from a name."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...ruledata import data_lists


def words_pattern(key: str) -> re.Pattern[str]:
    """The entries of list `key` as one case-insensitive pattern."""
    return data_lists("excessive-io").pattern(key)


def data_list(key: str) -> frozenset[str]:
    """The entries of list `key` as a set (names compared exactly)."""
    return data_lists("excessive-io").get(key)


@dataclass(frozen=True)
class Excuse:
    """Why a loop's per-item I/O may be inherent: `structural` excuses it; otherwise `hint` (when not
    empty) says which name alone suggests it, and the finding stays at low confidence naming it."""

    structural: bool
    hint: str = ""


NO_EXCUSE = Excuse(False)
STRUCTURE = Excuse(True)


def name_hint(name: str, suggests: str) -> Excuse:
    """Only `name` suggests the loop's I/O is inherent (`suggests`: "a retry loop", ...)."""
    return Excuse(False, f"the name `{name}` suggests {suggests}")
