"""Name heuristics of the excessive-io loops as data: the alternatives of each pattern are the entries
of a list in `rules/data/excessive-io.yml` (bundled lists: the loop helpers have no repository)."""

from __future__ import annotations

import re

from ...ruledata import data_lists


def words_pattern(key: str) -> re.Pattern[str]:
    """The entries of list `key` as one case-insensitive pattern."""
    return data_lists("excessive-io").pattern(key)
