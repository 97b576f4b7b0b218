"""Name heuristics of the excessive-io loops as data: the alternatives of each pattern are the entries
of a list in `rules/data/excessive-io.yml` (bundled lists: the loop helpers have no repository)."""

from __future__ import annotations

import re

from ...ruledata import data_lists


def words_pattern(key: str) -> re.Pattern[str]:
    """`(?i)(a|b|c)` of the entries of list `key`."""
    return re.compile("(?i)(" + "|".join(data_lists("excessive-io").ordered(key)) + ")")
