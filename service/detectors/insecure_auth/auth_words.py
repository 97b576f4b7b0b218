"""The word lists of the insecure-auth rules (`rules/data/insecure-auth.yml`, extended by a
repository's `.slopguard/insecure-auth.yml`) as case-insensitive patterns."""

from __future__ import annotations

import re

from ...detector import RepoView
from ...ruledata import data_lists


def public_route(repo: RepoView | None) -> re.Pattern[str]:
    """Matches a route path or handler name that is public by nature (login, health, webhook...)."""
    return data_lists("insecure-auth", repo).pattern("public_route_words", literal=True)


def privileged(repo: RepoView | None) -> re.Pattern[str]:
    """Matches a marker of an admin/staff-only handler (admin, staff, role, permission...)."""
    return data_lists("insecure-auth", repo).pattern("privileged_words", literal=True)
