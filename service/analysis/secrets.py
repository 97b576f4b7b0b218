"""Language-neutral judgement of credentials: does a name denote a secret, does a literal look
like a real one (length, character classes, entropy, no placeholder). The shapes of known
providers' keys are data (`secret_patterns`). Used by the hard-coded secret detectors of every
language."""

from __future__ import annotations

import math
import re
from collections import Counter

_WORD_SPLIT = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])")

def words(name: str) -> list[str]:
    """`PAYLANE_API_KEY` / `paylaneApiKey` -> ['paylane', 'api', 'key']."""
    return [w.lower() for w in _WORD_SPLIT.split(name) if w]


_SECRET_LAST = frozenset({"password", "passwd", "pwd", "passphrase", "secret", "token", "apikey", "secretkey",
                          "credentials", "credential"})
_SECRET_KEY_PREFIX = frozenset({"api", "secret", "access", "private", "signing", "encryption", "master", "license",
                                "webhook", "hmac", "jwt", "app", "client", "service", "auth", "session", "fernet",
                                "crypto", "cipher", "aes", "sign"})
_PASSWORD_WORDS = frozenset({"password", "passwd", "pwd", "passphrase"})
_NOT_SECRET_CONTEXT = frozenset({"name", "env", "var", "header", "field", "url", "uri", "path", "file", "prefix",
                                 "type", "kind", "format", "pattern", "label", "param", "cookie", "column", "id",
                                 "length", "len", "ttl", "timeout", "expiry", "expires", "endpoint", "host", "hint"})
_PLACEHOLDER = re.compile(
    r"(?i)(change[-_ ]?me|replace|your[-_ ]|example|dummy|fake|placeholder|sample|xxx|todo|fixme|redacted|"
    r"insert|not[-_]?set|insecure|<[^>]*>|\$\{|\{\{|%\(|\*\*\*|\.\.\.|^(secret|password|passwd|token|test|"
    r"testing|none|null|default|dev|development|local|admin|pass|key|apikey|api_key|changeit|s3cr3t)$)"
)
_KEY_CHARS = re.compile(r"^[A-Za-z0-9+/=_.-]+$")
_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")


def secret_name_kind(name: str) -> str | None:
    """'password' / 'secret' when `name` names a credential, None otherwise."""
    ws = words(name)
    if not ws or ws[-1] in _NOT_SECRET_CONTEXT:
        return None
    last = ws[-1]
    if last in _PASSWORD_WORDS:
        return "password"
    if last in _SECRET_LAST:
        return "secret"
    if last == "key" and len(ws) > 1 and ws[-2] in _SECRET_KEY_PREFIX:
        return "secret"
    if last == "key":
        return "key"
    return None


def entropy(value: str) -> float:
    counts = Counter(value)
    total = len(value)
    return -sum(n / total * math.log2(n / total) for n in counts.values())


def looks_secret(value: str, kind: str, min_length: int, min_entropy: float) -> bool:
    """Does a literal look like a real credential for a name of this kind?"""
    if not value or any(c.isspace() for c in value) or "://" in value or _PLACEHOLDER.search(value):
        return False
    if _ENV_NAME.match(value) or value.lower() in {"bearer", "basic", "token"}:
        return False
    classes = sum(bool(re.search(p, value)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]"))
    if kind == "password":
        return len(value) >= 6 and classes >= 2
    if not (re.search(r"[0-9]", value) and re.search(r"[A-Za-z]", value)) or "{" in value:
        return False
    if kind == "key" and not _KEY_CHARS.match(value):
        return False
    length = min_length if kind == "secret" else max(min_length, 20)
    threshold = min_entropy if kind == "secret" else min_entropy + 0.5
    return len(value) >= length and classes >= 2 and entropy(value) >= threshold
