"""The word lists the test-tampering rules read a skip's reason or a PR description with, as
compiled patterns.

The lists live in `rules/data/test-tampering.yml` (`python_skip_reason_*`, `js_skip_reason_*`,
`*_behaviour_change`) and a repository extends them in `.slopguard/test-tampering.yml`. Each entry is a fragment of a
regular expression; a list matches when any entry matches, case-insensitively. Wording only
lowers a finding's severity or confidence; it never decides alone whether a skip is reported.
(One exception is kept from before the lists moved here: a JS description that announces a
behaviour change turns the js expected-value and snapshot questions off.)
"""

from __future__ import annotations

import re

from ...detector import RepoView
from ...ruledata import data_lists


def reason_pattern(repo: RepoView | None, key: str) -> re.Pattern[str]:
    """The list `key` of test-tampering.yml as one case-insensitive pattern."""
    return data_lists("test-tampering", repo).pattern(key)


def announced_change(repo: RepoView | None, intent: str, family: str) -> str:
    """The words with which the description announces a behaviour change ("fixes", "now returns"),
    or '' (none, or the description also says the behaviour is unchanged). `family`: python | js."""
    m = reason_pattern(repo, f"{family}_behaviour_change").search(intent)
    return m.group(0) if m and not reason_pattern(repo, f"{family}_no_behaviour_change").search(intent) else ""
