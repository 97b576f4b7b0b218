"""Redact secrets from text before it leaves the machine.

Covers provider-shaped keys (AWS, GitHub, Slack, Stripe, Anthropic/OpenAI, Google), private key
blocks, JWTs, credentials inside connection strings and URLs, and values assigned to names that
say password/secret/token/api key. Each hit becomes `[REDACTED:<kind>]`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("private-key", re.compile(
        r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\Z)", re.S)),
    ("aws-access-key", re.compile(r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA)[A-Z0-9]{16}\b")),
    ("github-token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})\b")),
    ("slack-token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}\b")),
    ("stripe-key", re.compile(r"\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{10,}\b")),
    ("llm-api-key", re.compile(r"\bsk-(?:ant-)?[A-Za-z0-9_-]{20,}\b")),
    ("google-api-key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b")),
    ("jwt", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b")),
    ("url-credentials", re.compile(r"(?<=://)[^/\s:@'\"]+:[^/\s@'\"]+(?=@)")),
]
# Assigned secrets. Linear by construction (PR descriptions and code are attacker-written): the name
# is one whole identifier run (it starts where the previous character cannot belong to it, and
# possessive quantifiers never give characters back), and the value ends at the first quote or
# newline. Whether the name says password/secret/token/... is checked on the match, not by the regex.
_ASSIGNED = re.compile(
    r"""(?x)
    (?<![\w.-])(?P<name>[\w.-]{1,200}+)
    (?P<sep>\s*+(?>:=|=>|:|=)\s*+|["']\s*+:\s*+)
    (?P<quote>["'])(?P<value>[^"'\n]{6,}+)(?P=quote)
    """
)
_SECRET_NAME = re.compile(
    r"(?i)password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|client[_-]?secret|auth")
_AWS_SECRET = re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])")


def redact(text: str) -> tuple[str, int]:
    """The text with secrets replaced, and how many were replaced."""
    count = 0

    def sub(kind: str) -> Callable[[re.Match[str]], str]:
        def repl(match: re.Match[str]) -> str:
            nonlocal count
            count += 1
            return f"[REDACTED:{kind}]"

        return repl

    for kind, pattern in _PATTERNS:
        text = pattern.sub(sub(kind), text)

    def assigned(match: re.Match[str]) -> str:
        nonlocal count
        value = match.group("value")
        if not _SECRET_NAME.search(match.group("name")):
            return match.group(0)
        if value.startswith("[REDACTED") or value.lower() in {"changeme", "password", "example"}:
            return match.group(0)
        count += 1
        return f"{match.group('name')}{match.group('sep')}{match.group('quote')}[REDACTED:secret]{match.group('quote')}"

    text = _ASSIGNED.sub(assigned, text)

    def aws_secret(match: re.Match[str]) -> str:
        nonlocal count
        value = match.group(0)
        # 40-char base64-ish strings with mixed classes: AWS secret keys and the like
        if sum(c.isdigit() for c in value) >= 3 and any(c.isupper() for c in value) and any(c.islower() for c in value):
            count += 1
            return "[REDACTED:secret-key]"
        return value

    text = _AWS_SECRET.sub(aws_secret, text)
    return text, count
