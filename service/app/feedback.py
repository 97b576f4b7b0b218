"""Feedback on slopguard's inline comments: the commands people reply with, and which finding a
comment is about (the rule and the fingerprint slopguard wrote into it when it posted it)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .tidy import fingerprint_of

_REPLY = re.compile(r"^[ \t]*/slopguard[ \t]+(wrong|ignore)\b[ \t]*(.*)$", re.M | re.I)
_RESTORE = re.compile(r"^[ \t]*/slopguard[ \t]+restore[ \t]+([A-Za-z0-9_.\-*]+)[ \t]*$", re.M | re.I)
# The header line of an inline comment: "<icon> **<category>** (<severity>) · `<rule>`".
_RULE = re.compile(r"\*\*[a-z-]+\*\* \((?:error|warning|notice)\) · `([^`\s]+)`")
MAX_REASON = 500


@dataclass(frozen=True)
class Reply:
    verdict: str  # wrong | ignore
    reason: str


@dataclass(frozen=True)
class CommentFinding:
    """What one of slopguard's inline comments reports."""

    comment_id: int
    rule: str
    fingerprint: str
    outdated: bool  # GitHub no longer places the comment on the head: its lines changed
    ups: int
    downs: int


def parse_reply(body: str) -> Reply | None:
    """`/slopguard wrong [reason]` or `/slopguard ignore [reason]`, else None."""
    match = _REPLY.search(body or "")
    if match is None:
        return None
    return Reply(match.group(1).lower(), " ".join(match.group(2).split())[:MAX_REASON])


def parse_restore(body: str) -> str | None:
    """The rule of `/slopguard restore RULE`, else None."""
    match = _RESTORE.search(body or "")
    return match.group(1) if match else None


def finding_of(comment: Mapping[str, Any]) -> CommentFinding | None:
    """The finding a review comment of slopguard's reports, or None for anyone else's comment."""
    body = str(comment.get("body") or "")
    user = comment.get("user") or {}
    fingerprint = fingerprint_of(body)
    rule = _RULE.search(body)
    if not fingerprint or rule is None or str(user.get("type", "")) != "Bot" or not isinstance(comment.get("id"), int):
        return None
    reactions = comment.get("reactions") or {}
    # GitHub sets `line` (and `position`) to null once a push changed the lines the comment was on.
    outdated = comment.get("line") is None and "line" in comment
    return CommentFinding(int(comment["id"]), rule.group(1), fingerprint, outdated,
                          int(reactions.get("+1") or 0), int(reactions.get("-1") or 0))
