"""X-Hub-Signature-256: HMAC-SHA256 of the raw body with the webhook secret, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac

PREFIX = "sha256="


def sign(secret: str, body: bytes) -> str:
    return PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str | None) -> bool:
    """True when `header` is the signature of `body`; False when missing, malformed or wrong."""
    if not header or not header.startswith(PREFIX) or not secret:
        return False
    return hmac.compare_digest(sign(secret, body).encode(), header.strip().encode())


class Verifier:
    """The signature computed as the body arrives, chunk by chunk, so the body need not be joined
    twice or read again to check it."""

    def __init__(self, secret: str) -> None:
        self._secret = secret
        self._mac = hmac.new(secret.encode(), b"", hashlib.sha256)

    def update(self, chunk: bytes) -> None:
        self._mac.update(chunk)

    def matches(self, header: str | None) -> bool:
        if not header or not header.startswith(PREFIX) or not self._secret:
            return False
        return hmac.compare_digest((PREFIX + self._mac.hexdigest()).encode(), header.strip().encode())
