"""The word lists the skipped-test rules read a skip's reason with, as compiled patterns.

The lists live in `rules/data/test-tampering.yml` (`python_skip_reason_*`, `js_skip_reason_*`)
and a repository extends them in `.slopguard/test-tampering.yml`. Each entry is a fragment of a
regular expression; a list matches when any entry matches, case-insensitively. Wording only
lowers a finding's severity or confidence; it never decides alone whether a skip is reported.
"""

from __future__ import annotations

import re

from ...detector import RepoView
from ...ruledata import data_lists


def reason_pattern(repo: RepoView | None, key: str) -> re.Pattern[str]:
    """The list `key` of test-tampering.yml as one case-insensitive pattern."""
    return data_lists("test-tampering", repo).pattern(key)
