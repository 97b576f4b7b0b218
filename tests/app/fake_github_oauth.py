"""The fake GitHub's sign-in for the App's OAuth client, and the user-token endpoints (mixed into
FakeGitHub).

The web flow as GitHub documents it for GitHub Apps ("Generating a user access token"):
`GET /login/oauth/authorize?client_id&redirect_uri&state` shows a page (here: who are you, and an
Authorize button); it redirects to `redirect_uri?code=...&state=...`; `POST /login/oauth/access_token`
(client_id, client_secret, code, redirect_uri; form or JSON) answers 200 with `access_token` or
with `error: bad_verification_code`, the code being single-use and bound to its client and
redirect_uri. `GET /user`, `/user/installations` and `/user/installations/{id}/repositories` take
the user's token and list only what that user can access.
"""

from __future__ import annotations

import html
import json
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode

from tests.app.fake_lifecycle import Reply

if TYPE_CHECKING:
    from tests.app.fake_github import FakeGitHub


@dataclass
class User:
    login: str
    id: int
    repos: list[str] = field(default_factory=list)  # owner/name the user can access


@dataclass
class OAuthClient:
    secret: str
    callback: str  # the App's callback URL: redirect_uri must start with it


class OAuthEndpoints:
    def _init_oauth(self: FakeGitHub) -> None:
        self.users: dict[str, User] = {}
        self.oauth_clients: dict[str, OAuthClient] = {}
        self.installations: dict[int, dict[str, Any]] = {}  # id -> {"account": login, "repos": [...]}
        self.repo_permissions: dict[tuple[str, str], str] = {}  # (owner/name, login) -> permission
        self._codes: dict[str, tuple[str, str, str]] = {}  # code -> (client_id, redirect_uri, login)
        self.user_tokens: dict[str, str] = {}  # token -> login

    def _reset_oauth(self: FakeGitHub) -> None:
        for store in (self.users, self.oauth_clients, self.installations, self.repo_permissions, self._codes,
                      self.user_tokens):
            store.clear()

    def add_user(self: FakeGitHub, login: str, repos: list[str]) -> User:
        with self.lock:
            user = User(login, 8000 + len(self.users), list(repos))
            self.users[login] = user
            return user

    # ------------------------------------------------------------------ the browser's pages

    def oauth_page(self: FakeGitHub, method: str, path: str, query: dict[str, str], body: bytes) -> Reply:
        if path == "/login/oauth/access_token" and method == "POST":
            return self._exchange(query, body)
        if path != "/login/oauth/authorize":
            return Reply(404, {"message": "Not Found"})
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()} if method == "POST" else query
        client = self.oauth_clients.get(form.get("client_id", ""))
        redirect = form.get("redirect_uri", "")
        if client is None or not redirect.startswith(client.callback):
            return Reply(404, _page("The redirect_uri MUST match the registered callback URL for this application."),
                         content_type="text/html; charset=utf-8")
        if method == "GET":
            hidden = "".join(f'<input type="hidden" name="{k}" value="{html.escape(form.get(k, ""))}">'
                             for k in ("client_id", "redirect_uri", "state"))
            return Reply(200, _page(f'<h1>Sign in to GitHub</h1><form method="post">{hidden}'
                                    '<label>Username <input name="login" id="login"></label>'
                                    '<button type="submit" id="authorize">Authorize slopguard</button></form>'),
                         content_type="text/html; charset=utf-8")
        login = form.get("login", "")
        if login not in self.users:
            return Reply(401, _page("Incorrect username or password."), content_type="text/html; charset=utf-8")
        code = secrets.token_hex(10)
        with self.lock:
            self._codes[code] = (form["client_id"], redirect, login)
        separator = "&" if "?" in redirect else "?"
        location = redirect + separator + urlencode({"code": code, "state": form.get("state", "")})
        return Reply(302, None, {"location": location})

    def _exchange(self: FakeGitHub, query: dict[str, str], body: bytes) -> Reply:
        try:
            form = json.loads(body) if body.startswith(b"{") else {k: v[0] for k, v in parse_qs(body.decode()).items()}
        except ValueError:
            return Reply(400, {"message": "Problems parsing JSON"})
        client = self.oauth_clients.get(str(form.get("client_id", "")))
        if client is None or client.secret != form.get("client_secret"):
            return Reply(200, {"error": "incorrect_client_credentials",
                               "error_description": "The client_id and/or client_secret passed are incorrect."})
        with self.lock:
            grant = self._codes.pop(str(form.get("code", "")), None)
        if grant is None or grant[0] != form["client_id"] or grant[1] != form.get("redirect_uri", grant[1]):
            return Reply(200, {"error": "bad_verification_code",
                               "error_description": "The code passed is incorrect or expired."})
        token = "ghu_" + secrets.token_hex(16)
        with self.lock:
            self.user_tokens[token] = grant[2]
        return Reply(200, {"access_token": token, "expires_in": 28800, "refresh_token": "ghr_" + secrets.token_hex(16),
                           "refresh_token_expires_in": 15811200, "token_type": "bearer", "scope": ""})

    # ------------------------------------------------------------------ user-token endpoints

    def user_for(self: FakeGitHub, auth: str) -> User | None:
        scheme, _, token = auth.partition(" ")
        login = self.user_tokens.get(token) if scheme.lower() in ("token", "bearer") else None
        return self.users.get(login) if login else None

    def user_api(self: FakeGitHub, method: str, path: str, auth: str, query: dict[str, str]) -> Reply:
        user = self.user_for(auth)
        if user is None:
            return Reply(401, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"})
        if method == "GET" and path == "/user":
            return Reply(200, {"login": user.login, "id": user.id, "type": "User"})
        if method == "GET" and path == "/user/installations":
            items = [self._installation_view(i) for i, inst in sorted(self.installations.items())
                     if set(inst["repos"]) & set(user.repos)]
            return Reply(200, {"total_count": len(items), "installations": items})
        parts = path.split("/")
        if method == "GET" and len(parts) == 5 and parts[4] == "repositories" and parts[3].isdigit():
            inst = self.installations.get(int(parts[3]))
            if inst is None or not set(inst["repos"]) & set(user.repos):
                return Reply(404, {"message": "Not Found"})
            repos = [self._repo_view(name, user.login) for name in inst["repos"] if name in user.repos]
            return Reply(200, {"total_count": len(repos), "repositories": repos})
        return Reply(404, {"message": "Not Found"})

    def permission_of(self: FakeGitHub, repo: str, login: str) -> str:
        return self.repo_permissions.get((repo, login)) or self.permissions.get(login, "read")

    def _installation_view(self: FakeGitHub, inst_id: int) -> dict[str, Any]:
        account = self.installations[inst_id]["account"]
        return {"id": inst_id, "account": {"login": account, "type": "Organization"}, "app_id": int(self.app_id),
                "target_type": "Organization", "repository_selection": "selected"}

    def _repo_view(self: FakeGitHub, name: str, login: str) -> dict[str, Any]:
        level = self.permission_of(name, login)
        order = ["read", "triage", "write", "maintain", "admin"]
        rank = order.index(level) if level in order else 0
        owner, short = name.split("/")
        return {"full_name": name, "name": short, "owner": {"login": owner}, "private": True,
                "default_branch": "main",
                "permissions": {"pull": True, "triage": rank >= 1, "push": rank >= 2, "maintain": rank >= 3,
                                "admin": rank >= 4}}


def _page(content: str) -> bytes:
    return (f"<!doctype html><html><head><title>GitHub</title></head><body>{content}</body></html>").encode()
