"""The App's GitHub lifecycle end to end (the embedded service, or `slopguard worker` processes on the
machine's PostgreSQL and Redis, with the fake GitHub and a local bare repository): check runs always
completed and reused, Re-run, a primary rate limit waited out, one review per head."""

from __future__ import annotations

import copy
import signal
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from slopguard.app.store import JobKey
from slopguard.app.worker import MAX_ATTEMPTS, REVIEW_PERMISSIONS

from tests.app.conftest import BASE_FILES, HEAD_FILES
from tests.app.fake_github import FakeGitHub
from tests.app.harness import SECRET, Backend, Distributed, Origin, Service, pr_event, settings_for, wait_for


class Clock:
    """Wall-clock time that a test can move forward (shared by the service and the fake GitHub)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@pytest.fixture
def origin(tmp_path: Path) -> Origin:
    origin = Origin.create(tmp_path / "src", dict(BASE_FILES), dict(HEAD_FILES))
    origin.open_pr(7)
    return origin


@pytest.fixture
def start(tmp_path: Path, fake_github: FakeGitHub, app_keys: tuple[str, str],
          monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Service]]:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    started: list[Service] = []

    def run(clock: Callable[[], float] = time.time, **overrides: Any) -> Service:
        root = tmp_path / f"svc{len(started)}"
        root.mkdir()
        svc = Service(settings_for(root, fake_github, app_keys[0], **overrides), clock=clock)
        started.append(svc)
        return svc.start()

    yield run
    for svc in started:
        svc.stop()


def runs_for(fake: FakeGitHub, sha: str) -> list[dict[str, Any]]:
    with fake.lock:
        return [dict(r) for r in fake.check_runs.values() if r["head_sha"] == sha]


def rerequest(event: str, origin: Origin, fake: FakeGitHub, number: int, name: str = "slopguard") -> dict[str, Any]:
    """A check_run / check_suite `rerequested` payload in GitHub's shape, for the PR's head."""
    data = pr_event("synchronize", origin, number, fake)
    sha = origin.prs[number]
    pull = {"url": f"https://api.github.com/repos/octo/demo/pulls/{number}", "id": 1, "number": number,
            "head": {"ref": "feature", "sha": sha, "repo": {"id": 1, "name": "demo"}},
            "base": {"ref": "main", "sha": "0" * 40, "repo": {"id": 1, "name": "demo"}}}
    app = {"id": int(fake.app_id), "slug": "slopguard", "name": "slopguard"}
    suite = {"id": 5, "head_branch": "feature", "head_sha": sha, "status": "completed", "conclusion": "failure",
             "app": app, "pull_requests": [pull]}
    holder: dict[str, Any] = suite if event == "check_suite" else {
        "id": 9, "name": name, "head_sha": sha, "status": "completed", "conclusion": "failure", "app": app,
        "check_suite": suite, "pull_requests": [pull]}
    return {"action": "rerequested", event: copy.deepcopy(holder), "repository": data["repository"],
            "installation": data["installation"], "sender": data["sender"]}


def test_persistent_5xx_while_publishing_completes_the_one_check_run(start: Callable[..., Service], origin: Origin,
                                                                     fake_github: FakeGitHub) -> None:
    svc = start(retry_backoff_s=0.005)
    fake_github.fail("POST", r"/issues/7/comments$", 500, count=10**6)
    svc.deliver("pull_request", pr_event("opened", origin, 7, fake_github))
    wait_for(lambda: [r for r in runs_for(fake_github, origin.prs[7]) if r["status"] == "completed"], 60,
             "the check run to be completed")
    svc.idle()
    (run,) = runs_for(fake_github, origin.prs[7])  # created once, reused by every retry
    assert run["conclusion"] == "failure"
    assert f"gave up after {MAX_ATTEMPTS} attempts" in run["output"]["summary"]
    assert "500" in run["output"]["summary"] and "\n" not in run["output"]["summary"]
    assert len(fake_github.calls("POST", r"/check-runs$")) == 1
    assert len(fake_github.reviews_for(7)) == 1  # posted by the first attempt, never again
    statuses = [s["status"] for s in svc.store.scans("octo/demo", 7)]
    assert statuses.count("failed") == MAX_ATTEMPTS + 1  # each attempt, then the give-up


def test_rerun_reviews_again_with_a_new_check_run(start: Callable[..., Service], origin: Origin,
                                                  fake_github: FakeGitHub) -> None:
    svc = start()
    svc.deliver("pull_request", pr_event("opened", origin, 7, fake_github))
    svc.idle()
    (first,) = runs_for(fake_github, origin.prs[7])
    assert first["status"] == "completed"
    other = svc.deliver("check_run", rerequest("check_run", origin, fake_github, 7, name="another-app"))
    assert other.json()["status"] == "ignored"
    answer = svc.deliver("check_run", rerequest("check_run", origin, fake_github, 7))
    assert answer.status_code == 202 and answer.json()["status"] == "queued"
    wait_for(lambda: len(runs_for(fake_github, origin.prs[7])) == 2, what="the re-run's check run")
    svc.idle()
    wait_for(lambda: all(r["status"] == "completed" for r in runs_for(fake_github, origin.prs[7])),
             what="the re-run's check run to complete")
    second = max(runs_for(fake_github, origin.prs[7]), key=lambda r: r["id"])
    assert second["conclusion"] == first["conclusion"] and second["output"]["title"] == first["output"]["title"]
    assert len(fake_github.reviews_for(7)) == 1  # same head, same findings: nothing new to post
    svc.deliver("check_suite", rerequest("check_suite", origin, fake_github, 7))
    wait_for(lambda: len(runs_for(fake_github, origin.prs[7])) == 3, what="the suite re-run's check run")
    svc.idle()
    assert [s["status"] for s in svc.store.scans("octo/demo", 7)] == ["published"] * 3


def test_a_primary_rate_limit_defers_the_review_to_its_reset(start: Callable[..., Service], origin: Origin,
                                                             fake_github: FakeGitHub) -> None:
    """GitHub's limit resets 90 s ahead. The test's clock (the service's and the fake's) is moved
    forward instead of sleeping: until then no call reaches GitHub; afterwards exactly one review."""
    clock = Clock()
    fake_github.clock = clock
    svc = start(clock=clock, job_lease_s=2.0)
    fake_github.primary_limits[77] = clock() + 90
    svc.deliver("pull_request", pr_event("opened", origin, 7, fake_github))
    wait_for(lambda: fake_github.limited, what="the first call to meet the limit")
    wait_for(lambda: svc.store.scans("octo/demo", 7) or svc.store.pending_jobs() == 1, what="the job deferred")
    seen = len(fake_github.requests)
    time.sleep(3.0)  # three sweeps of the service: none may call GitHub before the reset
    assert len(fake_github.requests) == seen and len(fake_github.limited) == 1
    assert svc.store.pending_jobs() == 1 and fake_github.reviews_for(7) == []
    assert not svc.store.scans("octo/demo", 7)  # deferred is not a failed attempt
    clock.advance(92)
    wait_for(lambda: fake_github.reviews_for(7), 30, "the review after the reset")
    svc.idle()
    assert len(fake_github.reviews_for(7)) == 1 and len(fake_github.limited) == 1
    (run,) = runs_for(fake_github, origin.prs[7])
    assert run["status"] == "completed"
    assert [s["status"] for s in svc.store.scans("octo/demo", 7)] == ["published"]


def test_a_worker_killed_during_the_review_post_leaves_one_review(tmp_path: Path, fake_github: FakeGitHub,
                                                                  app_keys: tuple[str, str], origin: Origin,
                                                                  distributed_backend: Backend,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Two `slopguard worker` processes; the fake holds the review POST 4 s and the worker that sent
    it is SIGKILLed meanwhile. GitHub still creates that review; the other worker takes the job over,
    sees the pending marker, waits until the POST must have landed, and posts nothing more."""
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    settings = settings_for(tmp_path, fake_github, app_keys[0], job_lease_s=2.0, review_settle_s=6.0)
    service = Distributed(tmp_path / "run", settings, distributed_backend, separate_machines=True).start()
    fake_github.hold("POST", r"/pulls/7/reviews$", 4.0)
    try:
        service.deliver("pull_request", pr_event("opened", origin, 7, fake_github))
        wait_for(lambda: fake_github.calls("POST", r"/pulls/7/reviews$"), 60, "the review POST")
        owner = service.store.lease_owner(JobKey("octo/demo", 7))
        assert owner is not None
        victim = next(w for w in service.workers if w.pid == int(owner.split(":")[1]))
        victim.proc.send_signal(signal.SIGKILL)
        victim.proc.wait(timeout=10)
        wait_for(lambda: [r for r in runs_for(fake_github, origin.prs[7]) if r["status"] == "completed"], 60,
                 "the survivor to complete the check run")
        service.idle()
        assert len(fake_github.reviews_for(7)) == 1
        assert len(fake_github.calls("POST", r"/pulls/7/reviews$")) == 1
        (run,) = runs_for(fake_github, origin.prs[7])  # the dead worker's run, reused and completed
        assert run["conclusion"] in ("success", "failure") and "findings" in run["output"]["title"]
        assert len(fake_github.summaries_for(7)) == 1 and fake_github.abandoned == 1
    finally:
        service.stop()


def test_failed_deliveries_are_redelivered_from_githubs_log(start: Callable[..., Service], origin: Origin,
                                                            fake_github: FakeGitHub) -> None:
    """GitHub does not redeliver by itself: the reconciler reads the App's delivery log and asks for
    another attempt of each delivery whose attempts all failed and that the store never recorded."""
    svc = start(reconcile_interval_s=0.0)  # passes are run by the test, one at a time
    origin.open_pr(8)
    with socket.socket() as closed:  # a port nothing listens on: GitHub cannot reach the service
        closed.bind(("127.0.0.1", 0))
        fake_github.webhook_url = f"http://127.0.0.1:{closed.getsockname()[1]}/webhook"
    fake_github.webhook_secret = SECRET
    assert fake_github.send_webhook("pull_request", pr_event("opened", origin, 7, fake_github), "guid-7") == 0
    event8 = pr_event("opened", origin, 8, fake_github)
    assert fake_github.send_webhook("pull_request", event8, "guid-8") == 0
    fake_github.webhook_url = f"http://127.0.0.1:{svc.port}/webhook"
    assert fake_github.send_webhook("pull_request", event8, "guid-8", redelivery=True) == 202  # by hand
    assert fake_github.send_webhook("ping", {"zen": "hi"}, "guid-ping") == 200
    failed_7 = next(d["id"] for d in fake_github.hook_deliveries if d["guid"] == "guid-7")
    assert svc.runtime.reconciler.run_once() == [failed_7]
    wait_for(lambda: fake_github.reviews_for(7), 30, "the redelivered delivery's review")
    svc.idle()
    assert svc.runtime.reconciler.run_once() == []  # its redelivery succeeded: nothing more to ask
    assert len(fake_github.calls("POST", r"^/app/hook/deliveries/\d+/attempts$")) == 1
    assert len(fake_github.reviews_for(7)) == 1 and len(fake_github.reviews_for(8)) == 1
    assert [d["status_code"] for d in fake_github.hook_deliveries if d["guid"] == "guid-7"] == [0, 202]


def test_a_renamed_repository_is_followed_with_tokens_scoped_to_it(start: Callable[..., Service], origin: Origin,
                                                                   fake_github: FakeGitHub) -> None:
    """A delivery sent before the repository was renamed names the old one: GitHub answers 301/307
    and the App follows. Every installation token is narrowed to the one repository (by id, which a
    rename keeps) and to the permissions the review needs; the organisation's `.github` gets its own."""
    svc = start()
    event = pr_event("opened", origin, 7, fake_github)
    fake_github.rename("octo/demo", "octo/renamed")
    svc.deliver("pull_request", event)
    svc.idle()
    (review,) = fake_github.reviews_for(7)
    assert review["repo"] == "octo/renamed"
    assert fake_github.calls("GET", r"^/repos/octo/demo/pulls/7$") and fake_github.calls("POST", r"^/repos/octo/demo/")
    assert fake_github.calls("POST", r"^/repos/octo/renamed/pulls/7/reviews$")  # the 307 kept method and body
    (summary,) = fake_github.summaries_for(7)
    assert summary["repo"] == "octo/renamed"
    scopes = list(fake_github.token_scopes.values())
    assert {"repository_ids": [fake_github.repo_id("octo/renamed")],
            "permissions": dict(REVIEW_PERMISSIONS)} in scopes
    assert {"repositories": [".github"], "permissions": {"contents": "read"}} in scopes
    assert all(scopes), "no token for everything the installation covers"


def test_request_changes_is_dismissed_and_threads_resolved_after_the_fix(tmp_path: Path,
                                                                        start: Callable[..., Service],
                                                                        fake_github: FakeGitHub) -> None:
    base = {**BASE_FILES, ".slopguard.yml": "review: {event: REQUEST_CHANGES, fail_check_on: warning}\n"}
    origin = Origin.create(tmp_path / "rc", base, dict(HEAD_FILES))
    origin.open_pr(7)
    svc = start()
    svc.deliver("pull_request", pr_event("opened", origin, 7, fake_github))
    svc.idle()
    (review,) = fake_github.reviews_for(7)
    assert review["state"] == "CHANGES_REQUESTED" and review["comments"]
    origin.push(7, {"app.py": BASE_FILES["app.py"]}, "fix: back to the plain function")
    svc.deliver("pull_request", pr_event("synchronize", origin, 7, fake_github))
    svc.idle()
    wait_for(lambda: [r for r in runs_for(fake_github, origin.prs[7]) if r["status"] == "completed"],
             what="the fixed head's check run")
    (review,) = fake_github.reviews_for(7)  # nothing new to say: no second review
    assert review["state"] == "DISMISSED"
    assert len(fake_github.calls("PUT", r"/reviews/\d+/dismissals$")) == 1
    threads = {f"PRRT_{c['id']}" for c in fake_github.review_comments if c["pull_number"] == 7}
    assert threads and fake_github.resolved_threads == threads
    (run,) = runs_for(fake_github, origin.prs[7])
    assert run["conclusion"] == "success"
