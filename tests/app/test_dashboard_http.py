"""The dashboard over plain HTTP (no browser): off without sign-in settings, the OAuth state and
code checks, the security headers, and a session whose GitHub token was revoked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.app.fake_github import FakeGitHub
from tests.app.fake_github_oauth import OAuthClient
from tests.app.harness import Service, settings_for

CLIENT_ID, CLIENT_SECRET = "Iv1.httptest", "client-secret"


def start(tmp_path: Path, fake: FakeGitHub, private_key: str, **overrides: Any) -> Service:
    settings = settings_for(tmp_path, fake, private_key, oauth_client_id=CLIENT_ID,
                            oauth_client_secret=CLIENT_SECRET, session_secret="q" * 40, **overrides)
    svc = Service(settings).start()
    fake.oauth_clients[CLIENT_ID] = OAuthClient(CLIENT_SECRET, f"http://127.0.0.1:{svc.port}/dashboard/")
    fake.installations[77] = {"account": "octo", "repos": ["octo/demo"]}
    fake.add_user("alice", ["octo/demo"])
    return svc


@pytest.fixture
def service(tmp_path: Path, fake_github: FakeGitHub, app_keys: tuple[str, str]) -> Iterator[Service]:
    svc = start(tmp_path, fake_github, app_keys[0])
    yield svc
    svc.stop()


def sign_in(service: Service, fake: FakeGitHub, login: str = "alice") -> httpx.Response:
    start = service.http.get("/dashboard/login")
    assert start.status_code == 302
    authorize = httpx.post(start.headers["location"].split("?")[0],
                           data={**{k: v[0] for k, v in parse_qs(urlsplit(start.headers["location"]).query).items()},
                                 "login": login})
    assert authorize.status_code == 302
    back = urlsplit(authorize.headers["location"])
    return service.http.get(f"{back.path}?{back.query}")


def test_off_without_sign_in_settings(tmp_path: Path, fake_github: FakeGitHub, app_keys: tuple[str, str]) -> None:
    svc = Service(settings_for(tmp_path, fake_github, app_keys[0])).start()
    try:
        page = svc.http.get("/dashboard")
        assert page.status_code == 503 and "SLOPGUARD_OAUTH_CLIENT_ID" in page.text
    finally:
        svc.stop()


def test_state_and_code_are_checked(service: Service, fake_github: FakeGitHub) -> None:
    page = service.http.get("/dashboard")
    assert page.status_code == 200 and "Sign in with GitHub" in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"
    assert service.http.get("/dashboard/callback?code=x&state=y").status_code == 400  # no state cookie
    start = service.http.get("/dashboard/login")
    state = parse_qs(urlsplit(start.headers["location"]).query)["state"][0]
    assert service.http.get(f"/dashboard/callback?code=x&state={state}x").status_code == 400  # another state
    refused = service.http.get(f"/dashboard/callback?code=not-a-code&state={state}")
    assert refused.status_code == 400 and "incorrect or expired" in refused.text
    done = sign_in(service, fake_github)
    assert done.status_code == 303 and done.headers["location"] == "/dashboard"
    cookie = next(v for k, v in done.headers.multi_items() if k == "set-cookie" and "slopguard_session=" in v)
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie and "Path=/dashboard" in cookie
    home = service.http.get("/dashboard")
    assert "octo/demo" in home.text and 'id="login">alice<' in home.text


def test_logout_needs_the_token_and_a_revoked_token_signs_out(tmp_path: Path, fake_github: FakeGitHub,
                                                               app_keys: tuple[str, str]) -> None:
    service = start(tmp_path, fake_github, app_keys[0], dashboard_cache_s=0.0)  # every request asks GitHub
    try:
        _logout_and_revoke(service, fake_github)
    finally:
        service.stop()


def _logout_and_revoke(service: Service, fake_github: FakeGitHub) -> None:
    sign_in(service, fake_github)
    assert service.http.post("/dashboard/logout", data={"csrf": "forged"}).status_code == 403
    assert "alice" in service.http.get("/dashboard").text
    fake_github.user_tokens.clear()  # the user revoked the App's authorization on GitHub
    page = service.http.get("/dashboard/repos/octo/demo")
    assert page.status_code == 401 and "sign in again" in page.text
    assert 'id="login"' not in service.http.get("/dashboard").text  # the cookie was dropped
