"""Structured logs: one JSON object per line, carrying the delivery id, repository and PR number.

`context(delivery=..., repository=..., pr=...)` sets the fields for the code it wraps (context
variables, so they follow a request into its worker thread and never leak between threads); the
formatter adds them to every record. Secrets never reach the output: the formatter masks the
values it was given (webhook secret, private key, API key) and anything shaped like a GitHub
token, a JWT, an Authorization header or credentials in a URL, in messages and tracebacks alike.

`SLOPGUARD_LOG_FORMAT=text` switches to plain lines (for a terminal); `SLOPGUARD_LOG_LEVEL` sets
the level (default info).
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from typing import Any

FIELDS = ("delivery", "repository", "pr")
_context: ContextVar[Mapping[str, Any]] = ContextVar("slopguard_log_context", default={})  # noqa: B039 - read-only
MASK = "***"
_PATTERNS = re.compile(
    r"(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}"  # GitHub tokens
    r"|eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"  # JWTs
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)"  # PEM keys
    r"|sk-ant-[A-Za-z0-9_-]{10,})",  # Anthropic keys
    re.S,
)
_AUTH = re.compile(r"(?i)((?:authorization|x-hub-signature-256)[\"']?\s*[:=]\s*[\"']?)[^\s\"',}]+(?:\s[^\s\"',}]+)?")
_URL_CREDENTIALS = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s:@]*:[^/\s@]*@")


@contextlib.contextmanager
def context(**fields: Any) -> Iterator[None]:
    """Add `fields` (delivery, repository, pr) to every log record made inside the block."""
    token = _context.set({**_context.get(), **{k: v for k, v in fields.items() if v not in (None, "")}})
    try:
        yield
    finally:
        _context.reset(token)


def current() -> Mapping[str, Any]:
    return _context.get()


class Redactor:
    """Masks known secret values and secret-shaped strings."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        values: set[str] = set()
        for secret in secrets:
            secret = secret.strip()
            if len(secret) >= 6:
                values.add(secret)
                values.update(line.strip() for line in secret.splitlines() if len(line.strip()) >= 16)
        self.values = sorted(values, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for value in self.values:
            if value in text:
                text = text.replace(value, MASK)
        text = _PATTERNS.sub(MASK, text)
        text = _AUTH.sub(lambda m: m.group(1) + MASK, text)
        return _URL_CREDENTIALS.sub(lambda m: m.group(1) + MASK + "@", text)


class JsonFormatter(logging.Formatter):
    def __init__(self, redact: Redactor | None = None) -> None:
        super().__init__()
        self.redact = redact or Redactor()

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": self.redact(record.getMessage()),
        }
        fields = dict(_context.get())
        for name in FIELDS:
            value = getattr(record, name, None)  # `extra={...}` wins over the context
            if value is not None:
                fields[name] = value
        entry.update({k: fields[k] for k in FIELDS if k in fields})
        if record.exc_info:
            entry["exception"] = self.redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self, redact: Redactor | None = None) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.redact = redact or Redactor()

    def format(self, record: logging.LogRecord) -> str:
        fields = {**_context.get(), **{k: getattr(record, k) for k in FIELDS if getattr(record, k, None) is not None}}
        suffix = "".join(f" {k}={fields[k]}" for k in FIELDS if k in fields)
        return self.redact(super().format(record) + suffix)


def configure(secrets: Iterable[str] = (), *, level: str = "info", fmt: str = "json") -> logging.Handler:
    """Send every logger's records to stderr as JSON lines (or text), secrets masked."""
    redact = Redactor(secrets)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(TextFormatter(redact) if fmt == "text" else JsonFormatter(redact))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper() if level.upper() in logging.getLevelNamesMapping() else "INFO")
    for noisy in ("httpx", "httpcore", "huey", "alembic"):  # one line per HTTP call or poll: too much
        logging.getLogger(noisy).setLevel(max(root.level, logging.WARNING))
    return handler
