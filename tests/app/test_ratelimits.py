"""Rate limits as shared state: what one worker meets, every worker respects (two GitHub clients on one
store stand for two workers), content-creation caps across workers, secondary backoff with jitter."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from slopguard.app.errors import RateLimitError
from slopguard.app.github_client import GitHubClient, RetryPolicy
from slopguard.app.ratelimits import SharedLimits
from slopguard.app.store import Store

from tests.app.conftest import APP_ID
from tests.app.fake_github import FakeGitHub

POLICY = RetryPolicy(backoff_s=0.01, max_backoff_s=0.05, max_retry_wait_s=5.0, write_interval_s=0.0)


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(f"sqlite:///{tmp_path / 'limits.db'}", migrate=True)
    yield s
    s.close()


def worker_client(fake: FakeGitHub, key: str, limits: SharedLimits, clock: Clock,
                  waits: list[float] | None = None, policy: RetryPolicy = POLICY) -> GitHubClient:
    def sleep(seconds: float) -> None:
        if waits is not None:
            waits.append(seconds)
        clock.sleep(seconds)

    return GitHubClient(fake.url, APP_ID, key, policy=policy, limits=limits, clock=clock, sleep=sleep,
                        jitter=random.Random(7))


def test_a_primary_limit_met_by_one_worker_stops_the_other(fake_github: FakeGitHub, app_keys: tuple[str, str],
                                                           store: Store) -> None:
    clock = Clock()
    store.clock = clock
    fake_github.clock = clock
    limits = SharedLimits(store)
    first, second = (worker_client(fake_github, app_keys[0], limits, clock) for _ in range(2))
    fake_github.primary_limits[77] = clock() + 90
    with pytest.raises(RateLimitError) as info:
        first.installation(77).get("repos/o/r/pulls/1")
    assert info.value.kind == "primary" and info.value.until >= clock() + 90
    calls = len(fake_github.requests)
    with pytest.raises(RateLimitError) as again:  # the other worker: refused without calling GitHub
        second.installation(77).post("repos/o/r/issues/1/comments", {"body": "x"})
    assert again.value.until == info.value.until and len(fake_github.requests) == calls
    second.installation(78).post("repos/o/r/issues/1/comments", {"body": "another installation"})
    clock.sleep(92)
    second.installation(77).post("repos/o/r/issues/1/comments", {"body": "after the reset"})
    assert [c["body"] for c in fake_github.issue_comments.values()] == ["another installation", "after the reset"]


def test_content_creation_caps_hold_across_workers(fake_github: FakeGitHub, app_keys: tuple[str, str],
                                                   store: Store) -> None:
    clock = Clock()
    store.clock = clock
    limits = SharedLimits(store, per_minute=3, per_hour=5)
    waits: list[float] = []
    patient = RetryPolicy(max_retry_wait_s=120.0, write_interval_s=0.0)  # waits a minute, not an hour
    workers = [worker_client(fake_github, app_keys[0], limits, clock, waits, patient) for _ in range(2)]
    for i in range(3):
        workers[i % 2].installation(5).post("repos/o/r/issues/1/comments", {"body": f"c{i}"})
        clock.sleep(1)
    assert waits == []
    workers[1].installation(5).post("repos/o/r/issues/1/comments", {"body": "c3"})  # waits for the minute
    assert len(waits) == 1 and 56.9 < waits[0] <= 57.0
    workers[0].installation(5).post("repos/o/r/issues/1/comments", {"body": "c4"})
    assert limits.writes(5, clock() - 3600) == 5
    with pytest.raises(RateLimitError) as info:  # the hour's five are used: an hour is too long to wait
        workers[1].installation(5).post("repos/o/r/issues/1/comments", {"body": "c5"})
    assert info.value.kind == "content" and info.value.until > clock() + 3000
    assert len(fake_github.issue_comments) == 5


def test_secondary_limits_back_off_exponentially_with_jitter(fake_github: FakeGitHub, app_keys: tuple[str, str],
                                                            store: Store) -> None:
    clock = Clock()
    store.clock = clock
    limits = SharedLimits(store)
    client = worker_client(fake_github, app_keys[0], limits, clock)
    message = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
    waits = []
    for _ in range(3):
        fake_github.fail("POST", r"/issues/1/comments$", 403, message=message)
        with pytest.raises(RateLimitError) as info:
            client.installation(9).post("repos/o/r/issues/1/comments", {"body": "x"})
        assert info.value.kind == "secondary"
        assert limits.blocked_until(9) == info.value.until  # shared with the other workers
        waits.append(info.value.until - clock())
        clock.sleep(waits[-1])
    assert 60 <= waits[0] <= 75 and 120 <= waits[1] <= 150 and 240 <= waits[2] <= 300
    assert len({w / 2**i for i, w in enumerate(waits)}) == 3  # jittered, not a fixed schedule
    client.installation(9).post("repos/o/r/issues/1/comments", {"body": "x"})
    fake_github.fail("POST", r"/issues/1/comments$", 403, message=message)
    with pytest.raises(RateLimitError) as info:
        client.installation(9).post("repos/o/r/issues/1/comments", {"body": "y"})
    assert info.value.until - clock() <= 75  # a success resets the backoff
