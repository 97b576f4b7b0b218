"""`/slopguard review|pause|resume|help` in pull request comments."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable

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
KNOWN = ("review", "pause", "resume", "help")
# Replies never quote the comment: only a known command name (or nothing) is echoed.
NOT_ALLOWED = ("Thanks for asking! Only people with write access to this repository can give slopguard "
               "commands; a maintainer can run the command for you.")
UNKNOWN = "I don't know that command. " + HELP
REPLY_WINDOW_S = 600.0  # at most one refusal or "unknown command" reply per user and PR in this time


def parse(body: str) -> str | None:
    """The command in a comment (`help` for a bare `/slopguard`), or None when there is none."""
    match = _COMMAND.search(body or "")
    if match is None:
        return None
    return (match.group(1) or "help").lower()


class ReplyLimiter:
    """Remembers when a user was last answered on a pull request, so that a stream of comments from
    someone without write access gets one reply, not one each (which would also use the App's
    write budget)."""

    def __init__(self, window_s: float = REPLY_WINDOW_S, clock: Callable[[], float] = time.monotonic) -> None:
        self.window_s = window_s
        self._clock = clock
        self._last: dict[tuple[str, int, str], float] = {}
        self._lock = threading.Lock()

    def allow(self, repo: str, number: int, user: str) -> bool:
        now = self._clock()
        with self._lock:
            if len(self._last) > 10_000:
                self._last = {k: t for k, t in self._last.items() if now - t < self.window_s}
            key = (repo, number, user.lower())
            if now - self._last.get(key, -self.window_s - 1) < self.window_s:
                return False
            self._last[key] = now
            return True


def can_write(api: Installation, repo: str, user: str) -> bool:
    try:
        data = api.get(f"repos/{repo}/collaborators/{user}/permission")
    except GitHubError as exc:
        if exc.status == 404:
            return False
        raise
    return str(data.get("permission")) in WRITE_PERMISSIONS or str(data.get("role_name")) in WRITE_PERMISSIONS
