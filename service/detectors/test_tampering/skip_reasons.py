"""The word lists the skipped-test rules read a skip's reason with, as compiled patterns.

The lists live in `rules/data/test-tampering.yml` (`python_skip_reason_*`, `js_skip_reason_*`)
and a repository extends them in `.slopguard/test-tampering.yml`. Each entry is a fragment of a
regular expression; a list matches when any entry matches, case-insensitively. Wording only
lowers a finding's severity or confidence; it never decides alone whether a skip is reported.
"""

from __future__ import annotations

import functools
import re

from ...detector import RepoView
from ...errors import ConfigError
from ...ruledata import REPO_DIR, data_lists


def reason_pattern(repo: RepoView | None, key: str) -> re.Pattern[str]:
    """The list `key` of test-tampering.yml as one case-insensitive pattern."""
    return _compiled(data_lists("test-tampering", repo).ordered(key), key)


@functools.lru_cache(maxsize=64)
def _compiled(entries: tuple[str, ...], key: str) -> re.Pattern[str]:
    try:
        return re.compile("|".join(f"(?:{e})" for e in entries), re.IGNORECASE)
    except re.error as err:
        raise ConfigError(f"list {key!r}: an entry is not a valid regular expression ({err})",
                          f"rules/data/test-tampering.yml or {REPO_DIR}/test-tampering.yml") from None
