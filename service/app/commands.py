"""`/slopguard review|pause|resume|help` in pull request comments."""

from __future__ import annotations

import re

from .errors import GitHubError
from .github_client import Installation

WRITE_PERMISSIONS = frozenset({"admin", "maintain", "write"})
_COMMAND = re.compile(r"^\s*/slopguard(?:\s+(\S+))?\s*$", re.M)

HELP = """slopguard commands (for people with write access to this repository):

- `/slopguard review` — review the pull request's newest commit now
- `/slopguard pause` — stop reviewing new pushes to this pull request
- `/slopguard resume` — review new pushes again (and review the newest commit now)
- `/slopguard help` — this message
"""
NOT_ALLOWED = ("Thanks for asking! Only people with write access to this repository can give slopguard "
               "commands; a maintainer can run `/slopguard {command}` for you.")
UNKNOWN = "I don't know the command `{command}`. " + HELP


def parse(body: str) -> str | None:
    """The command in a comment (`help` for a bare `/slopguard`), or None when there is none."""
    match = _COMMAND.search(body or "")
    if match is None:
        return None
    return (match.group(1) or "help").lower()


def can_write(api: Installation, repo: str, user: str) -> bool:
    try:
        data = api.get(f"repos/{repo}/collaborators/{user}/permission")
    except GitHubError as exc:
        if exc.status == 404:
            return False
        raise
    return str(data.get("permission")) in WRITE_PERMISSIONS or str(data.get("role_name")) in WRITE_PERMISSIONS
