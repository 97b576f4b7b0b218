"""The word lists of the insecure-auth rules (`rules/data/insecure-auth.yml`, extended by a
repository's `.slopguard/insecure-auth.yml`) as case-insensitive patterns."""

from __future__ import annotations

import functools
import re

from ...detector import RepoView
from ...ruledata import data_lists


@functools.lru_cache(maxsize=64)
def _pattern(entries: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("(?i)(" + "|".join(re.escape(e) for e in entries) + ")")


def public_route(repo: RepoView | None) -> re.Pattern[str]:
    """Matches a route path or handler name that is public by nature (login, health, webhook...)."""
    return _pattern(data_lists("insecure-auth", repo).ordered("public_route_words"))


def privileged(repo: RepoView | None) -> re.Pattern[str]:
    """Matches a marker of an admin/staff-only handler (admin, staff, role, permission...)."""
    return _pattern(data_lists("insecure-auth", repo).ordered("privileged_words"))
