"""GitHub's REST API over httpx: App JWT, installation tokens, retries, rate limits, write pacing.

Every call to GitHub goes through `GitHubClient.request`, which
- retries transport errors and 5xx answers with exponential backoff,
- waits out primary and secondary rate limits (403/429 with Retry-After or x-ratelimit-reset),
  giving up with RateLimitError when the wait would exceed `max_retry_wait_s`,
- paces writes (POST/PATCH/PUT/DELETE) at least `write_interval_s` apart, as GitHub asks of
  integrations to stay under its secondary rate limits.
The transport is injectable (`httpx.MockTransport` or a real server on 127.0.0.1 in tests).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import jwt

from .. import __version__
from .errors import GitHubError, RateLimitError, SettingsError
from .metrics import Metrics

API_VERSION = "2022-11-28"
WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})
RETRY_STATUSES = frozenset({500, 502, 503, 504})
TOKEN_REFRESH_MARGIN_S = 300.0
SECONDARY_LIMIT_WAIT_S = 60.0
MAX_PAGES = 50


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    backoff_s: float = 0.5
    max_backoff_s: float = 8.0
    max_retry_wait_s: float = 60.0
    write_interval_s: float = 1.0


class GitHubClient:
    """One HTTP connection pool to GitHub (or a GHES `/api/v3` root), shared by all installations."""

    def __init__(self, api_url: str, app_id: str, private_key: str, *, policy: RetryPolicy | None = None,
                 transport: httpx.BaseTransport | None = None, metrics: Metrics | None = None,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.time,
                 timeout_s: float = 30.0) -> None:
        self.app_id = app_id
        self._key = private_key
        self.policy = policy or RetryPolicy()
        self.metrics = metrics
        self._sleep = sleep
        self._clock = clock
        self._http = httpx.Client(
            base_url=api_url.rstrip("/") + "/",
            transport=transport,
            timeout=timeout_s,
            headers={"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": API_VERSION,
                     "User-Agent": f"slopguard/{__version__}"},
        )
        self._write_lock = threading.Lock()
        self._writers: dict[str, tuple[threading.Lock, list[float]]] = {}  # per credential: lock, last write
        self._tokens: dict[int, tuple[str, float]] = {}
        self._token_lock = threading.Lock()

    def close(self) -> None:
        self._http.close()

    # ------------------------------------------------------------------ authentication

    def app_jwt(self) -> str:
        """A JWT signed with the App's private key (RS256), valid for nine minutes."""
        if not self._key or not self.app_id:
            raise SettingsError("the App's id and private key are needed to authenticate to GitHub")
        now = int(self._clock())
        try:
            return jwt.encode({"iat": now - 60, "exp": now + 540, "iss": self.app_id}, self._key, algorithm="RS256")
        except (ValueError, TypeError) as exc:
            raise SettingsError(f"the App's private key is not a usable RSA PEM key: {exc}") from None

    def installation_token(self, installation_id: int) -> str:
        """The installation's access token, cached until five minutes before it expires."""
        with self._token_lock:
            cached = self._tokens.get(installation_id)
            if cached and cached[1] - TOKEN_REFRESH_MARGIN_S > self._clock():
                return cached[0]
            response = self.request("POST", f"app/installations/{installation_id}/access_tokens",
                                    auth=f"Bearer {self.app_jwt()}")
            data = response.json()
            expires = _parse_time(str(data.get("expires_at", ""))) or self._clock() + 3600
            self._tokens[installation_id] = (str(data["token"]), expires)
            return str(data["token"])

    def installation(self, installation_id: int) -> Installation:
        return Installation(self, installation_id)

    # ------------------------------------------------------------------ requests

    def request(self, method: str, path: str, *, auth: str, json: Any = None,
                params: Mapping[str, Any] | None = None, retry_server_errors: bool = True) -> httpx.Response:
        """One API call. `retry_server_errors=False` for writes that are not idempotent: a 5xx or a
        lost connection may come after GitHub acted, so the caller checks before trying again."""
        method = method.upper()
        url = path if path.startswith(("http://", "https://")) else path.lstrip("/")
        policy = self.policy
        last: GitHubError | None = None
        for attempt in range(policy.attempts):
            if method in WRITE_METHODS:
                self._pace(auth)
            try:
                response = self._http.request(method, url, json=json, params=params,
                                              headers={"Authorization": auth})
            except httpx.TransportError as exc:
                last = GitHubError(0, f"{type(exc).__name__}: {exc}", method, path)
                self._count(method, "error")
                if not retry_server_errors:
                    raise last from None
                self._sleep(self._backoff(attempt))
                continue
            self._count(method, str(response.status_code))
            status = response.status_code
            if status < 400:
                return response
            error = GitHubError(status, _message(response), method, path)
            if status in RETRY_STATUSES:
                if not retry_server_errors:
                    raise error
                last = error
                self._sleep(self._backoff(attempt))
                continue
            wait = self._rate_limit_wait(response)
            if wait is None:
                raise error
            if wait > policy.max_retry_wait_s:
                raise RateLimitError(status, f"rate limited for {wait:.0f}s: {error.message}", method, path)
            if self.metrics:
                self.metrics.rate_limit_waits.inc()
                self.metrics.rate_limit_wait_seconds.inc(wait)
            last = error
            self._sleep(wait)
        assert last is not None
        raise last

    def pause(self, attempt: int) -> None:
        """Wait the backoff for retry number `attempt` (for callers that retry by themselves)."""
        self._sleep(self._backoff(attempt))

    def _backoff(self, attempt: int) -> float:
        return min(self.policy.backoff_s * (2**attempt), self.policy.max_backoff_s)

    def _pace(self, credential: str) -> None:
        """Writes with one credential (one installation's token, or the App's JWT) are paced apart; one
        installation's burst never delays another's (GitHub's secondary limits count per token)."""
        with self._write_lock:
            if credential not in self._writers and len(self._writers) > 10_000:
                self._writers.clear()  # tokens expire hourly: forget old ones
            lock, last = self._writers.setdefault(credential, (threading.Lock(), [0.0]))
        with lock:
            wait = last[0] + self.policy.write_interval_s - time.monotonic()
            if wait > 0:
                self._sleep(wait)
            last[0] = time.monotonic()

    def _rate_limit_wait(self, response: httpx.Response) -> float | None:
        """Seconds to wait for a rate limit, or None when the answer is not a rate limit."""
        if response.status_code not in (403, 429):
            return None
        headers = response.headers
        retry_after = headers.get("retry-after")
        if retry_after:
            return _retry_after(retry_after, self._clock())
        if headers.get("x-ratelimit-remaining") == "0" and headers.get("x-ratelimit-reset", "").isdigit():
            return max(0.0, int(headers["x-ratelimit-reset"]) - self._clock()) + 1.0
        if "rate limit" in _message(response).lower():
            return SECONDARY_LIMIT_WAIT_S
        return None

    def _count(self, method: str, status: str) -> None:
        if self.metrics:
            self.metrics.github_calls.labels(method=method, status=status).inc()


class Installation:
    """Requests on behalf of one installation (its token fetched and refreshed as needed)."""

    def __init__(self, client: GitHubClient, installation_id: int) -> None:
        self.client = client
        self.id = installation_id

    def request(self, method: str, path: str, *, json: Any = None,
                params: Mapping[str, Any] | None = None, retry_server_errors: bool = True) -> httpx.Response:
        token = self.client.installation_token(self.id)
        return self.client.request(method, path, auth=f"token {token}", json=json, params=params,
                                   retry_server_errors=retry_server_errors)

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.request("GET", path, params=params).json()

    def post(self, path: str, json: Any, *, retry_server_errors: bool = True) -> Any:
        return self.request("POST", path, json=json, retry_server_errors=retry_server_errors).json()

    def patch(self, path: str, json: Any) -> Any:
        return self.request("PATCH", path, json=json).json()

    def paginate(self, path: str, params: Mapping[str, Any] | None = None) -> Iterator[Any]:
        """Every item of a list endpoint, following Link rel="next" (at most MAX_PAGES pages)."""
        url: str | None = path
        query: Mapping[str, Any] | None = {"per_page": 100, **(params or {})}
        for _ in range(MAX_PAGES):
            if url is None:
                return
            response = self.request("GET", url, params=query)
            items = response.json()
            if not isinstance(items, list):
                raise GitHubError(response.status_code, "expected a list", "GET", path)
            yield from items
            nxt = response.links.get("next", {}).get("url")
            url, query = (nxt, None) if nxt else (None, None)


def _message(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(data, dict):
        message = str(data.get("message", ""))
        errors = data.get("errors")
        if errors:
            message += f" {errors}"
        return message
    return str(data)[:200]


def _retry_after(value: str, now: float) -> float:
    if value.strip().isdigit():
        return float(value.strip())
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError):
        return SECONDARY_LIMIT_WAIT_S


def _parse_time(value: str) -> float | None:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()
