"""The word lists the test-tampering rules read a skip's reason or a PR description with, as
compiled patterns.

The lists live in `rules/data/test-tampering.yml` (`python_skip_reason_*`, `js_skip_reason_*`,
`*_behaviour_change`) and a repository extends them in `.slopguard/test-tampering.yml`. Each entry is a fragment of a
regular expression; a list matches when any entry matches, case-insensitively. Wording only
lowers a finding's severity or confidence and is named in its message; it never decides alone
whether a skip, a changed expected value or a re-recorded snapshot is reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tree_sitter import Node

from ...detector import RepoView
from ...models import Confidence
from ...parsing import ancestor
from ...ruledata import data_lists


def reason_pattern(repo: RepoView | None, key: str) -> re.Pattern[str]:
    """The list `key` of test-tampering.yml as one case-insensitive pattern."""
    return data_lists("test-tampering", repo).pattern(key)


def announced_change(repo: RepoView | None, intent: str, family: str) -> str:
    """The words with which the description announces a behaviour change ("fixes", "now returns"),
    or '' (none, or the description also says the behaviour is unchanged). `family`: python | js."""
    m = reason_pattern(repo, f"{family}_behaviour_change").search(intent)
    return m.group(0) if m and not reason_pattern(repo, f"{family}_no_behaviour_change").search(intent) else ""


def stated_change(described: str, what: str) -> str:
    """How a changed expected value's (or snapshot's) message names the description: the words that
    announce a behaviour change (`described`, from `announced_change`) without stating this `what`
    ("value", "output"), or that it states no behaviour change."""
    return (f"the description says \"{described}\" but does not state this {what}" if described
            else "the description states no behaviour change")


def stated_confidence(described: str) -> Confidence | None:
    """The confidence of such a finding: low when the description announces a behaviour change
    (it is kept, not dropped), else the rule's own."""
    return "low" if described else None


@dataclass(frozen=True)
class SkipWords:
    """The lists one language reads a skip's reason with."""

    weak: str  # reasons that state no real constraint ("flaky", "fix later")
    constraint: str  # reasons that name one (a platform, a missing service, a tracked issue)
    fails: str = ""  # reasons that say the test fails ("" when the language has no such list)
    constraint_first: bool = False  # a named constraint outweighs weak words in the same reason


def verdict(repo: RepoView | None, words: SkipWords, reason: str | None) -> str:
    """'error' (the reason says the test fails), 'weak' (no real reason), 'real' (a constraint) or
    'unknown'."""
    if reason is None or not reason.strip():
        return "weak"
    constraint = reason_pattern(repo, words.constraint).search(reason)
    if constraint and words.constraint_first:
        return "real"
    fails = bool(words.fails) and reason_pattern(repo, words.fails).search(reason)
    if fails and not constraint:
        return "error"
    if reason_pattern(repo, words.weak).search(reason):
        return "error" if fails else "weak"
    return "real" if constraint else "unknown"


def reported(said: str, expected_to_fail: bool, existing: bool) -> bool:
    """Whether a skip with reason verdict `said` is reported: an unknown reason only on an existing
    test (a new test may be skipped for reasons no list knows), and a real constraint not on an
    expected failure (it still runs, and its tracked reason shows up when it passes)."""
    return not ((said == "unknown" and not existing) or (said == "real" and expected_to_fail))


def conditional(node: Node, stop: Node, types: frozenset[str]) -> bool:
    """True when a node of `types` encloses `node` below `stop`: the skip runs only sometimes."""
    return ancestor(node, types, stop) is not None
