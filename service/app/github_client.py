"""GitHub's REST API on PyGithub (transport.py): App JWT, installation tokens, retries, rate limits, pacing.

Every call to GitHub goes through `GitHubClient.request`, which
- retries transport errors and 5xx answers with exponential backoff,
- waits out primary and secondary rate limits (403/429 with Retry-After or x-ratelimit-reset),
  raising RateLimitError (with `until`) when the wait would exceed `max_retry_wait_s`: the job is
  then deferred to that time, it does not fail;
- backs off exponentially, with jitter, on repeated secondary limits without a Retry-After;
- with `limits` (ratelimits.SharedLimits), remembers every limit per installation for all workers,
  makes no call for an installation before its limit resets, and keeps content-creating requests
  under GitHub's caps (80 per minute, 500 per hour) across workers;
- paces writes (POST/PATCH/PUT/DELETE) at least `write_interval_s` apart, as GitHub asks of
  integrations to stay under its secondary rate limits.
Installation tokens are narrowed to repositories and permissions (Scope): PyGithub's
`GithubIntegration.get_access_token` takes permissions but no repositories, so the token request is
made here, on PyGithub's Requester like every other call. Tests use a real server on 127.0.0.1.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

import jwt
from github import Auth

from .errors import GitHubError, RateLimitError, SettingsError
from .metrics import Metrics
from .transport import API_VERSION, Answer, Transport, TransportFailure, app_auth

__all__ = ["API_VERSION", "GitHubClient", "Installation", "Limits", "RetryPolicy", "Scope"]
WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})
RETRY_STATUSES = frozenset({500, 502, 503, 504})
TOKEN_REFRESH_MARGIN_S = 300.0
SECONDARY_LIMIT_WAIT_S = 60.0
MAX_SECONDARY_WAIT_S = 3600.0
MAX_PAGES = 50


class Limits(Protocol):
    """Rate-limit state shared by the App's workers (ratelimits.SharedLimits)."""

    def blocked_until(self, installation_id: int) -> float | None: ...

    def block(self, installation_id: int, until: float, kind: str) -> None: ...

    def reserve_write(self, installation_id: int, now: float) -> float: ...


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
                 metrics: Metrics | None = None,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.time,
                 timeout_s: float = 30.0, limits: Limits | None = None, jitter: random.Random | None = None) -> None:
        self.app_id = app_id
        self._key = private_key
        self.policy = policy or RetryPolicy()
        self.metrics = metrics
        self.limits = limits
        self._sleep = sleep
        self._clock = clock
        self._jitter = jitter or random.Random()
        self._strikes: dict[int | None, int] = {}  # secondary limits met in a row, per installation
        self._http = Transport(api_url, timeout_s)  # PyGithub's Requester; redirects followed
        self._auth: Auth.AppAuth | None = None
        self._write_lock = threading.Lock()
        self._last_write = 0.0
        self._tokens: dict[tuple[int, Scope | None], tuple[str, float]] = {}
        self._token_lock = threading.Lock()

    @property
    def graphql_url(self) -> str:
        """GitHub's GraphQL endpoint: api.github.com/graphql, or https://HOST/api/graphql on GHES."""
        root = self._http.api_url
        return (root.removesuffix("/v3") if root.endswith("/api/v3") else root) + "/graphql"

    def close(self) -> None:
        self._http.close()

    # ------------------------------------------------------------------ authentication

    def app_jwt(self) -> str:
        """A JWT signed with the App's private key (RS256), valid for nine minutes."""
        if not self._key or not self.app_id:
            raise SettingsError("the App's id and private key are needed to authenticate to GitHub")
        try:
            if self._auth is None:
                self._auth = app_auth(self.app_id, self._key)
            return str(self._auth.token)
        except (ValueError, TypeError, jwt.PyJWTError) as exc:
            raise SettingsError(f"the App's private key is not a usable RSA PEM key: {exc}") from None

    def installation_token(self, installation_id: int, scope: Scope | None = None) -> str:
        """An access token of the installation, narrowed to `scope` (repositories and permissions)
        when given, cached until five minutes before it expires."""
        key = (installation_id, scope)
        with self._token_lock:
            cached = self._tokens.get(key)
            if cached and cached[1] - TOKEN_REFRESH_MARGIN_S > self._clock():
                return cached[0]
            body = None if scope is None else scope.request_body()
            response = self.request("POST", f"app/installations/{installation_id}/access_tokens",
                                    auth=f"Bearer {self.app_jwt()}", json=body)
            data = response.json()
            expires = _parse_time(str(data.get("expires_at", ""))) or self._clock() + 3600
            self._tokens[key] = (str(data["token"]), expires)
            return str(data["token"])

    def installation(self, installation_id: int, scope: Scope | None = None) -> Installation:
        return Installation(self, installation_id, scope)

    # ------------------------------------------------------------------ requests

    def request(self, method: str, path: str, *, auth: str, json: Any = None,
                params: Mapping[str, Any] | None = None, retry_server_errors: bool = True,
                installation: int | None = None) -> Answer:
        """One API call. `retry_server_errors=False` for writes that are not idempotent: a 5xx or a
        lost connection may come after GitHub acted, so the caller checks before trying again.
        `installation` names whose rate limits a limit met here belongs to."""
        method = method.upper()
        url = path if path.startswith(("http://", "https://")) else path.lstrip("/")
        policy = self.policy
        last: GitHubError | None = None
        for attempt in range(policy.attempts):
            if method in WRITE_METHODS:
                self._pace()
            try:
                response = self._http.send(method, url, auth=auth, json_body=json, params=params)
            except TransportFailure as exc:
                last = GitHubError(0, str(exc), method, path)
                self._count(method, "error")
                if not retry_server_errors:
                    raise last from None
                self._sleep(self._backoff(attempt))
                continue
            self._count(method, str(response.status_code))
            status = response.status_code
            if status < 400:
                self._strikes.pop(installation, None)
                return response
            error = GitHubError(status, _message(response), method, path)
            if status in RETRY_STATUSES:
                if not retry_server_errors:
                    raise error
                last = error
                self._sleep(self._backoff(attempt))
                continue
            limit = self._rate_limit(response, installation)
            if limit is None:
                raise error
            until, kind = limit
            if self.limits is not None and installation is not None:
                self.limits.block(installation, until, kind)
            self.wait_until(until, kind, f"{error.message}", method, path, status)
            last = error
        assert last is not None
        raise last

    def gate(self, installation: int, method: str, path: str) -> None:
        """Before a call for `installation`: wait out (or raise for) a limit another worker met, and
        take a slot under the content-creation caps for a POST."""
        if self.limits is None:
            return
        until = self.limits.blocked_until(installation)
        if until is not None:
            self.wait_until(until, "remembered", "the installation is rate limited", method, path, 429)
        if method.upper() == "POST":
            while (wait := self.limits.reserve_write(installation, self._clock())) > 0:
                self.wait_until(self._clock() + wait, "content", "content-creation cap (per minute/hour)",
                                method, path, 403)

    def wait_until(self, until: float, kind: str, why: str, method: str, path: str, status: int) -> None:
        """Sleep until `until`, or raise RateLimitError when that is further than `max_retry_wait_s`."""
        wait = until - self._clock()
        if wait <= 0:
            return
        if wait > self.policy.max_retry_wait_s:
            raise RateLimitError(status, f"rate limited ({kind}) for {wait:.0f}s: {why}", method, path,
                                 until=until, kind=kind)
        if self.metrics:
            self.metrics.rate_limit_waits.inc()
            self.metrics.rate_limit_wait_seconds.inc(wait)
        self._sleep(wait)

    def pause(self, attempt: int) -> None:
        """Wait the backoff for retry number `attempt` (for callers that retry by themselves)."""
        self._sleep(self._backoff(attempt))

    def sleep(self, seconds: float) -> None:
        self._sleep(seconds)

    def now(self) -> float:
        return self._clock()

    def _backoff(self, attempt: int) -> float:
        return min(self.policy.backoff_s * (2**attempt), self.policy.max_backoff_s)

    def _pace(self) -> None:
        with self._write_lock:
            wait = self._last_write + self.policy.write_interval_s - time.monotonic()
            if wait > 0:
                self._sleep(wait)
            self._last_write = time.monotonic()

    def _rate_limit(self, response: Answer, installation: int | None) -> tuple[float, str] | None:
        """(until when, primary|secondary) for a rate-limit answer, None for any other answer.

        As GitHub documents: wait Retry-After when given; with x-ratelimit-remaining 0, until
        x-ratelimit-reset; a secondary limit without either, at least a minute, doubling (with
        jitter) while the limits keep coming.
        """
        if response.status_code not in (403, 429):
            return None
        now = self._clock()
        headers = response.headers
        retry_after = headers.get("retry-after")
        if headers.get("x-ratelimit-remaining") == "0" and headers.get("x-ratelimit-reset", "").isdigit() \
                and not retry_after:
            return max(now, float(headers["x-ratelimit-reset"])) + 1.0, "primary"
        if not retry_after and "rate limit" not in _message(response).lower():
            return None
        strikes = self._strikes.get(installation, 0)
        self._strikes[installation] = strikes + 1
        base = _retry_after(retry_after, now) if retry_after else SECONDARY_LIMIT_WAIT_S
        wait = min(base * 2**strikes, MAX_SECONDARY_WAIT_S) if strikes else base
        return now + wait * (1.0 + 0.25 * self._jitter.random()), "secondary"

    def _count(self, method: str, status: str) -> None:
        if self.metrics:
            self.metrics.github_calls.labels(method=method, status=status).inc()


@dataclass(frozen=True)
class Scope:
    """What an installation token may reach: these repositories (names, without the owner) with
    these permissions, instead of everything the installation was granted."""

    repositories: tuple[str, ...]
    permissions: tuple[tuple[str, str], ...]  # (permission, "read" | "write"), sorted
    repository_ids: tuple[int, ...] = ()  # GitHub's ids, which survive a rename (preferred to names)

    @classmethod
    def of(cls, repositories: Iterable[str], permissions: Mapping[str, str], ids: Iterable[int] = ()) -> Scope:
        return cls(tuple(sorted(set(repositories))), tuple(sorted(permissions.items())), tuple(sorted(set(ids))))

    def request_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"permissions": dict(self.permissions)}
        if self.repository_ids:
            body["repository_ids"] = list(self.repository_ids)
        else:
            body["repositories"] = list(self.repositories)
        return body


class Installation:
    """Requests on behalf of one installation (its token fetched and refreshed as needed)."""

    def __init__(self, client: GitHubClient, installation_id: int, scope: Scope | None = None) -> None:
        self.client = client
        self.id = installation_id
        self.scope = scope

    def token(self) -> str:
        return self.client.installation_token(self.id, self.scope)

    def request(self, method: str, path: str, *, json: Any = None,
                params: Mapping[str, Any] | None = None, retry_server_errors: bool = True) -> Answer:
        self.client.gate(self.id, method, path)
        token = self.token()
        return self.client.request(method, path, auth=f"token {token}", json=json, params=params,
                                   retry_server_errors=retry_server_errors, installation=self.id)

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.request("GET", path, params=params).json()

    def post(self, path: str, json: Any, *, retry_server_errors: bool = True) -> Any:
        return self.request("POST", path, json=json, retry_server_errors=retry_server_errors).json()

    def patch(self, path: str, json: Any) -> Any:
        return self.request("PATCH", path, json=json).json()

    def graphql(self, query: str, variables: Mapping[str, Any]) -> Any:
        """A GraphQL call; its `data`, or GitHubError when GitHub answers with `errors`."""
        answer = self.request("POST", self.client.graphql_url, json={"query": query, "variables": dict(variables)},
                              retry_server_errors=False).json()
        if answer.get("errors"):
            errors = answer["errors"]
            messages = "; ".join(str(e.get("message", e)) for e in errors)[:500]
            kinds = {str(e.get("type", "")) for e in errors if isinstance(e, dict)}
            status = 403 if "FORBIDDEN" in kinds else 404 if "NOT_FOUND" in kinds else 422
            raise GitHubError(status, f"GraphQL: {messages}", "POST", "graphql")
        return answer.get("data") or {}

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


def _message(response: Answer) -> str:
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
