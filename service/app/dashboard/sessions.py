"""Signed cookies for the dashboard: the session cookie and the OAuth `state` cookie.

A cookie's value is `<payload>.<HMAC-SHA256(session secret, name + payload)>`; the name is part of
what is signed, so one cookie's value cannot be replayed as another's. The session cookie carries
only a random session id (the store keeps its hash, the login and the user's token). Both cookies
are HttpOnly and SameSite=Lax, and Secure unless the dashboard is served from localhost.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import urlsplit

SESSION_COOKIE = "slopguard_session"
STATE_COOKIE = "slopguard_oauth_state"
SESSION_TTL_S = 8 * 3600.0  # GitHub's user access tokens expire after eight hours
STATE_TTL_S = 600
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


class Signer:
    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(b"slopguard-dashboard\0" + secret.encode()).digest()

    def _mac(self, name: str, payload: str) -> str:
        digest = hmac.new(self._key, f"{name}\0{payload}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def sign(self, name: str, payload: str) -> str:
        return f"{payload}.{self._mac(name, payload)}"

    def unsign(self, name: str, value: str | None) -> str | None:
        """The payload of a cookie value signed for `name`, or None when absent or tampered with."""
        if not value or "." not in value:
            return None
        payload, mac = value.rsplit(".", 1)
        return payload if hmac.compare_digest(mac, self._mac(name, payload)) else None


def is_local(url: str) -> bool:
    return (urlsplit(url).hostname or "") in LOCAL_HOSTS


def cookie_options(base_url: str, max_age: int) -> dict[str, object]:
    """Starlette's set_cookie arguments for the dashboard's cookies."""
    return {"max_age": max_age, "path": "/dashboard", "httponly": True, "samesite": "lax",
            "secure": not is_local(base_url)}


def same_token(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())
