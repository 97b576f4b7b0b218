"""GitHub on behalf of a signed-in user: the OAuth web flow, and what the user may see and do.

The App's OAuth client (GitHub's "Generating a user access token for a GitHub App"): the browser
goes to `{web}/login/oauth/authorize`, comes back with a code, and the code becomes a user access
token at `{web}/login/oauth/access_token`. The user's installations and repositories come from
`GET /user/installations` and `/user/installations/{id}/repositories` with that token (GitHub lists
only what both the App and the user can access); a user's role on one repository from the
collaborator permission endpoint, with the installation's token. Answers are cached for
`cache_s` seconds, so each request is checked against GitHub without asking it every time.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

import httpx

from ..errors import GitHubError
from ..github_client import GitHubClient

T = TypeVar("T")
CACHE_S = 180.0
MAX_PAGES = 10
MAINTAINERS = frozenset({"maintain", "admin"})


@dataclass(frozen=True)
class RepoAccess:
    full_name: str
    installation_id: int
    account: str


class SignInError(Exception):
    """GitHub did not complete the sign-in (a bad or used code, wrong client credentials)."""


class TTLCache:
    def __init__(self, ttl_s: float) -> None:
        self.ttl_s = ttl_s
        self._items: dict[Any, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Any, compute: Callable[[], T]) -> T:
        now = time.monotonic()
        with self._lock:
            hit = self._items.get(key)
            if hit is not None and hit[0] > now:
                return hit[1]
        value = compute()
        with self._lock:
            if len(self._items) > 10_000:
                self._items = {k: v for k, v in self._items.items() if v[0] > now}
            self._items[key] = (now + self.ttl_s, value)
        return value


class GitHubUsers:
    def __init__(self, github: GitHubClient, web_url: str, client_id: str, client_secret: str,
                 transport: httpx.BaseTransport | None = None, cache_s: float = CACHE_S) -> None:
        self.github = github
        self.web_url = web_url.rstrip("/")
        self.client_id = client_id
        self._secret = client_secret
        self._http = httpx.Client(transport=transport, timeout=30, headers={"Accept": "application/json"})
        self._access = TTLCache(cache_s)
        self._roles = TTLCache(cache_s)

    def close(self) -> None:
        self._http.close()

    # ------------------------------------------------------------------ the web flow

    def authorize_url(self, redirect_uri: str, state: str) -> str:
        query = urlencode({"client_id": self.client_id, "redirect_uri": redirect_uri, "state": state})
        return f"{self.web_url}/login/oauth/authorize?{query}"

    def exchange(self, code: str, redirect_uri: str) -> str:
        """The user access token for an authorization code (SignInError when GitHub refuses it)."""
        try:
            response = self._http.post(f"{self.web_url}/login/oauth/access_token", data={
                "client_id": self.client_id, "client_secret": self._secret, "code": code,
                "redirect_uri": redirect_uri})
        except httpx.TransportError as exc:
            raise SignInError(f"GitHub could not be reached: {type(exc).__name__}") from None
        try:
            data = response.json()
        except ValueError:
            data = {}
        if response.status_code != 200 or not isinstance(data, dict) or not data.get("access_token"):
            reason = data.get("error_description") or data.get("error") if isinstance(data, dict) else None
            raise SignInError(str(reason or f"GitHub answered {response.status_code}"))
        return str(data["access_token"])

    def login(self, token: str) -> str:
        return str(self._user_get(token, "user")["login"])

    # ------------------------------------------------------------------ what the user may see

    def repositories(self, token: str) -> dict[str, RepoAccess]:
        """The repositories the user and the App can both access (cached)."""
        key = hashlib.sha256(token.encode()).hexdigest()
        return self._access.get(key, lambda: self._repositories(token))

    def _repositories(self, token: str) -> dict[str, RepoAccess]:
        out: dict[str, RepoAccess] = {}
        for inst in self._pages(token, "user/installations", "installations"):
            account = str((inst.get("account") or {}).get("login", ""))
            for repo in self._pages(token, f"user/installations/{int(inst['id'])}/repositories", "repositories"):
                name = str(repo["full_name"])
                out[name] = RepoAccess(name, int(inst["id"]), account)
        return out

    def role(self, repo: RepoAccess, login: str) -> str:
        """The user's role on the repository: admin, maintain, write, triage, read or none (cached)."""
        def ask() -> str:
            api = self.github.installation(repo.installation_id)
            try:
                data = api.get(f"repos/{repo.full_name}/collaborators/{login}/permission")
            except GitHubError as exc:
                if exc.status == 404:
                    return "none"
                raise
            return str(data.get("role_name") or data.get("permission") or "none")
        return self._roles.get((repo.full_name, login), ask)

    def can_maintain(self, repo: RepoAccess, login: str) -> bool:
        return self.role(repo, login) in MAINTAINERS

    def _pages(self, token: str, path: str, key: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for page in range(1, MAX_PAGES + 1):
            data = self._user_get(token, path, {"per_page": 100, "page": page})
            chunk = data.get(key) or []
            items += chunk
            if len(chunk) < 100:
                break
        return items

    def _user_get(self, token: str, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.github.request("GET", path, auth=f"Bearer {token}", params=params).json()
