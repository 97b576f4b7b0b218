"""The GitHub client: JWT and installation tokens, retries, rate limits, pacing, GHES."""

from __future__ import annotations

import time

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from slopguard.app.errors import GitHubError, RateLimitError
from slopguard.app.github_client import GitHubClient, RetryPolicy, Scope
from slopguard.app.metrics import Metrics
from slopguard.app.tidy import RESOLVE_MUTATION, THREADS_QUERY

from tests.app.conftest import APP_ID
from tests.app.fake_github import FakeGitHub

FAST = RetryPolicy(backoff_s=0.01, max_backoff_s=0.05, max_retry_wait_s=5.0, write_interval_s=0.0)


def test_token_is_fetched_once_and_reused(fake_github: FakeGitHub, client: GitHubClient) -> None:
    api = client.installation(5)
    for _ in range(3):
        api.post("repos/o/r/issues/1/comments", {"body": "hi"})
    assert len(fake_github.calls("POST", r"/app/installations/5/access_tokens")) == 1


def test_token_is_refreshed_shortly_before_expiry(fake_github: FakeGitHub, client: GitHubClient) -> None:
    fake_github.token_ttl_s = 200  # less than the five-minute refresh margin
    api = client.installation(5)
    api.post("repos/o/r/issues/1/comments", {"body": "a"})
    api.post("repos/o/r/issues/1/comments", {"body": "b"})
    assert len(fake_github.calls("POST", r"access_tokens")) == 2


def test_a_jwt_from_another_key_is_refused(fake_github: FakeGitHub) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    gh = GitHubClient(fake_github.url, APP_ID, other, policy=FAST)
    with pytest.raises(GitHubError) as info:
        gh.installation_token(1)
    assert info.value.status == 401


def test_a_scoped_token_reaches_only_its_repository(fake_github: FakeGitHub, client: GitHubClient) -> None:
    api = client.installation(5, Scope.of(["demo"], {"issues": "write"}))
    api.post("repos/o/demo/issues/1/comments", {"body": "mine"})
    with pytest.raises(GitHubError) as info:
        api.post("repos/o/other/issues/1/comments", {"body": "not mine"})
    assert info.value.status == 404
    (scope,) = fake_github.token_scopes.values()
    assert scope == {"repositories": ["demo"], "permissions": {"issues": "write"}}


def test_5xx_is_retried(fake_github: FakeGitHub, client: GitHubClient) -> None:
    fake_github.fail("POST", r"/issues/1/comments$", 502, count=2, message="Bad Gateway")
    client.installation(1).post("repos/o/r/issues/1/comments", {"body": "x"})
    assert len(fake_github.calls("POST", r"/issues/1/comments$")) == 3
    assert len(fake_github.issue_comments) == 1


def test_5xx_gives_up_after_the_attempts(fake_github: FakeGitHub, client: GitHubClient) -> None:
    fake_github.fail("GET", r"/pulls/1$", 503, count=10)
    with pytest.raises(GitHubError) as info:
        client.installation(1).get("repos/o/r/pulls/1")
    assert info.value.status == 503
    assert len(fake_github.calls("GET", r"/pulls/1$")) == FAST.attempts


def test_secondary_rate_limit_waits_retry_after(fake_github: FakeGitHub, app_keys: tuple[str, str]) -> None:
    waits: list[float] = []
    metrics = Metrics()
    gh = GitHubClient(fake_github.url, APP_ID, app_keys[0], policy=FAST, sleep=waits.append, metrics=metrics)
    fake_github.fail("POST", r"/issues/1/comments$", 403, headers={"retry-after": "3"},
                     message="You have exceeded a secondary rate limit")
    gh.installation(1).post("repos/o/r/issues/1/comments", {"body": "x"})
    (wait,) = waits  # Retry-After, plus up to a quarter of jitter (less the moments already gone)
    assert 2.9 <= wait <= 3.75 and len(fake_github.issue_comments) == 1
    assert b"slopguard_github_rate_limit_waits_total 1.0" in metrics.render()


def test_primary_rate_limit_reset_too_far_raises(fake_github: FakeGitHub, client: GitHubClient) -> None:
    reset = str(int(time.time()) + 3600)
    fake_github.fail("GET", r"/pulls/1$", 429, headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset},
                     message="API rate limit exceeded")
    with pytest.raises(RateLimitError):
        client.installation(1).get("repos/o/r/pulls/1")


def test_a_plain_403_is_not_retried(fake_github: FakeGitHub, client: GitHubClient) -> None:
    fake_github.fail("GET", r"/pulls/1$", 403, message="Resource not accessible by integration")
    with pytest.raises(GitHubError) as info:
        client.installation(1).get("repos/o/r/pulls/1")
    assert info.value.status == 403 and not isinstance(info.value, RateLimitError)


def test_writes_are_paced(fake_github: FakeGitHub, app_keys: tuple[str, str]) -> None:
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(seconds)

    gh = GitHubClient(fake_github.url, APP_ID, app_keys[0], policy=RetryPolicy(write_interval_s=0.2), sleep=sleep)
    started = time.monotonic()
    for i in range(3):
        gh.installation(1).post("repos/o/r/issues/1/comments", {"body": f"c{i}"})
    assert time.monotonic() - started >= 0.4 and len(fake_github.issue_comments) == 3
    assert len([w for w in waits if 0 < w <= 0.2]) >= 2  # the second and third write waited their turn
    gh.close()


def test_enterprise_server_prefix(app_keys: tuple[str, str]) -> None:
    fake = FakeGitHub(APP_ID, app_keys[1], prefix="/api/v3").start()
    try:
        assert fake.url.endswith("/api/v3")
        gh = GitHubClient(fake.url, APP_ID, app_keys[0], policy=FAST)
        gh.installation(3).post("repos/o/r/issues/2/comments", {"body": "ghes"})
        assert [c["body"] for c in fake.issue_comments.values()] == ["ghes"]
        assert gh.graphql_url == fake.url.removesuffix("/v3") + "/graphql"  # GHES: /api/graphql
        data = gh.installation(3).graphql(THREADS_QUERY, {"owner": "o", "name": "r", "number": 2, "after": None})
        assert data["repository"]["pullRequest"]["reviewThreads"]["nodes"] == []
        with pytest.raises(GitHubError) as info:
            gh.installation(3).graphql(RESOLVE_MUTATION, {"threadId": "PRRT_missing"})
        assert "Could not resolve" in info.value.message
    finally:
        fake.stop()
