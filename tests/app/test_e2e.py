"""End to end: the real service on a local port, the fake GitHub, a local bare repository.

Every test runs twice: `embedded` (one `slopguard serve` with SQLite store and queue and its own
consumer) and `distributed` (`slopguard db upgrade`, `slopguard serve --no-worker` and two `slopguard
worker` processes as deploy/docker-compose.yml starts them, on the machine's PostgreSQL and Redis;
fails in CI without them, skipped elsewhere). See tests/app/harness.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.app.conftest import APP_ID, BASE_FILES, HEAD_FILES
from tests.app.fake_github import FakeGitHub
from tests.app.harness import Distributed, Origin, Service, comment_event, pr_event, settings_for, wait_for

AnyService = Service | Distributed

FP = "<!-- slopguard:fp="


@pytest.fixture
def origin(tmp_path: Path) -> Origin:
    origin = Origin.create(tmp_path / "src", dict(BASE_FILES), dict(HEAD_FILES))
    origin.open_pr(7)
    return origin


@pytest.fixture(scope="module", params=["embedded", "distributed"])
def mode(request: pytest.FixtureRequest) -> str:
    """Module-scoped, so all embedded tests run first, then all distributed ones on the same processes."""
    return str(request.param)


@pytest.fixture(scope="module")
def deployment(mode: str, request: pytest.FixtureRequest, app_keys: tuple[str, str],
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FakeGitHub, Distributed] | None]:
    """Distributed mode: one fake GitHub and one set of processes (started as the compose file starts
    them) for the whole module, like a long-running deployment; each test gets them reset."""
    if mode == "embedded":
        yield None
        return
    backend = request.getfixturevalue("distributed_backend")
    fake = FakeGitHub(APP_ID, app_keys[1]).start()
    root = tmp_path_factory.mktemp("e2e-distributed")
    try:
        service = Distributed(root, settings_for(root, fake, app_keys[0]), backend).start()
        try:
            yield fake, service
        finally:
            service.stop()
    finally:
        fake.stop()


@pytest.fixture
def fake_github(deployment: tuple[FakeGitHub, Distributed] | None, app_keys: tuple[str, str]) -> Iterator[FakeGitHub]:
    if deployment is None:
        fake = FakeGitHub(APP_ID, app_keys[1]).start()
        yield fake
        fake.stop()
    else:
        deployment[0].reset()
        yield deployment[0]


@pytest.fixture
def start_service(mode: str, deployment: tuple[FakeGitHub, Distributed] | None, request: pytest.FixtureRequest,
                  tmp_path: Path, fake_github: FakeGitHub, app_keys: tuple[str, str],
                  monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., AnyService]]:
    """The service in this test's mode: embedded, a new one per call; distributed, the module's
    processes (reset), or with Settings overrides processes of its own. Stopped after the test."""
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    started: list[AnyService] = []

    def start(name: str = "svc", **overrides: Any) -> AnyService:
        root = tmp_path / name
        root.mkdir(parents=True, exist_ok=True)
        settings = settings_for(root, fake_github, app_keys[0], **overrides)
        svc: AnyService
        if deployment is None:
            svc = Service(settings)
        elif not overrides:
            deployment[1].reset()
            return deployment[1]
        else:
            svc = Distributed(root, settings, request.getfixturevalue("distributed_backend"))
        started.append(svc)
        return svc.start()

    yield start
    for svc in started:
        svc.stop()


@pytest.fixture
def service(start_service: Callable[..., AnyService]) -> AnyService:
    return start_service()


def fingerprints(review: dict[str, object]) -> list[str]:
    comments = review["comments"]
    assert isinstance(comments, list)
    return [c["body"].split(FP, 1)[1].split(" ", 1)[0] for c in comments]


def test_signature_body_and_health(service: AnyService) -> None:
    def rejected() -> dict[str, float]:  # the processes may be shared: compare counts before and after
        return {status: service.metric("slopguard_webhook_deliveries_total", event="unverified", outcome=status)
                for status in ("400", "401", "413")}

    before = rejected()
    assert service.deliver("ping", {"zen": "hi"}, signature="").status_code == 401
    assert service.deliver("ping", {"zen": "hi"}, signature="sha256=" + "0" * 64).status_code == 401
    assert service.deliver("ping", b"{not json").status_code == 400
    big = b" " * (25 * 1024 * 1024 + 1)
    assert service.deliver("ping", big).status_code == 413
    ok = service.deliver("ping", {"zen": "hi"})
    assert ok.status_code == 200 and ok.json()["status"] == "pong"
    assert service.http.get("/healthz").status_code == 200
    ready = service.http.get("/readyz")
    assert ready.status_code == 200 and ready.json()["database"] == "ok" and ready.json()["queue"] == "ok"
    after = rejected()
    assert {k: after[k] - before[k] for k in after} == {"400": 1, "401": 2, "413": 1}


def test_opened_synchronize_and_redelivery(service: AnyService, origin: Origin, fake_github: FakeGitHub) -> None:
    event = pr_event("opened", origin, 7, fake_github)
    response = service.deliver("pull_request", event, delivery="delivery-1")
    assert response.status_code == 202
    service.idle()
    (review,) = fake_github.reviews_for(7)
    assert review["commit_id"] == origin.prs[7] and review["comments"]
    first = fingerprints(review)
    (summary,) = fake_github.summaries_for(7)
    runs = [r for r in fake_github.check_runs.values() if r["head_sha"] == origin.prs[7]]
    assert len(runs) == 1 and runs[0]["status"] == "completed" and runs[0]["annotations"]

    again = service.deliver("pull_request", event, delivery="delivery-1")
    assert again.json()["status"] == "duplicate"

    origin.push(7, {"extra.py": "import sys\n\n\ndef h(paths):\n    for p in paths:\n        open(p).read()\n"})
    service.deliver("pull_request", pr_event("synchronize", origin, 7, fake_github))
    service.idle()
    wait_for(lambda: any(r["head_sha"] == origin.prs[7] and r["status"] == "completed"
                         for r in fake_github.check_runs.values()), what="the second check run")
    reviews = fake_github.reviews_for(7)
    assert len(reviews) == 2 and reviews[1]["commit_id"] == origin.prs[7]
    second = fingerprints(reviews[1])
    assert second and not set(second) & set(first)
    assert all(c["path"] == "extra.py" for c in reviews[1]["comments"])
    (summary2,) = fake_github.summaries_for(7)
    assert summary2["id"] == summary["id"] and summary2["edits"] >= 1
    history = service.store.scans("octo/demo", 7)
    assert [h["status"] for h in history] == ["published", "published"]


def test_draft_is_skipped_until_ready(service: AnyService, origin: Origin, fake_github: FakeGitHub) -> None:
    service.deliver("pull_request", pr_event("opened", origin, 7, fake_github, draft=True))
    service.idle()
    assert fake_github.reviews_for(7) == [] and not fake_github.check_runs
    assert service.store.scans("octo/demo", 7)[-1]["detail"] == "draft"
    service.deliver("pull_request", pr_event("ready_for_review", origin, 7, fake_github))
    service.idle()
    assert len(fake_github.reviews_for(7)) == 1


def test_commands(service: AnyService, origin: Origin, fake_github: FakeGitHub) -> None:
    fake_github.permissions.update(maintainer="write", visitor="read")
    pr_event("opened", origin, 7, fake_github)  # GitHub knows the PR; nothing delivered yet

    def replies(text: str) -> list[dict[str, object]]:
        return [c for c in fake_github.issue_comments.values() if text in str(c["body"])]

    service.deliver("issue_comment", comment_event(origin, 7, "maintainer", "/slopguard help"))
    wait_for(lambda: replies("slopguard commands"), what="the help reply")
    service.deliver("issue_comment", comment_event(origin, 7, "visitor", "/slopguard review"))
    wait_for(lambda: replies("@visitor"), what="the polite refusal")
    assert fake_github.reviews_for(7) == []

    service.deliver("issue_comment", comment_event(origin, 7, "maintainer", "/slopguard pause"))
    wait_for(lambda: replies("paused"), what="the pause acknowledgement")
    service.deliver("pull_request", pr_event("synchronize", origin, 7, fake_github))
    service.idle()
    assert fake_github.reviews_for(7) == []

    service.deliver("issue_comment", comment_event(origin, 7, "maintainer", "/slopguard resume"))
    wait_for(lambda: fake_github.reviews_for(7), what="the review after resume")
    service.idle()
    assert not service.store.is_paused("octo/demo", 7)
    service.deliver("issue_comment", comment_event(origin, 7, "maintainer", "not a command"))
    service.deliver("issue_comment", comment_event(origin, 7, "maintainer", "/slopguard review"))
    wait_for(lambda: len(service.store.scans("octo/demo", 7)) >= 3, what="the forced review")
    service.idle()
    assert len(fake_github.reviews_for(7)) == 1  # same head, same findings: nothing new to say
    assert len(fake_github.summaries_for(7)) == 1


def test_fork_pr(service: AnyService, origin: Origin, fake_github: FakeGitHub) -> None:
    service.deliver("pull_request", pr_event("opened", origin, 7, fake_github, head_repo="forker/demo"))
    service.idle()
    assert len(fake_github.reviews_for(7)) == 1


def test_502s_and_secondary_rate_limit_on_reviews(service: AnyService, origin: Origin,
                                                  fake_github: FakeGitHub) -> None:
    waits = service.metric("slopguard_github_rate_limit_waits_total")  # the processes may be shared
    fake_github.fail("POST", r"/pulls/7/reviews$", 502, count=2, message="Bad Gateway")
    fake_github.fail("POST", r"/pulls/7/reviews$", 403, headers={"retry-after": "1"},
                     message="You have exceeded a secondary rate limit.")
    service.deliver("pull_request", pr_event("opened", origin, 7, fake_github))
    service.idle(timeout=30)
    assert len(fake_github.reviews_for(7)) == 1
    assert len(fake_github.calls("POST", r"/pulls/7/reviews$")) == 4
    assert service.metric("slopguard_github_rate_limit_waits_total") == waits + 1  # counted where the review ran


def test_quick_pushes_coalesce(start_service: Callable[..., AnyService], fake_github: FakeGitHub,
                               origin: Origin) -> None:
    svc = start_service(coalesce_delay_s=0.3)
    for i in range(3):
        origin.push(7, {f"step{i}.py": f"import os\n\n\ndef step{i}(x):\n    return x\n"}, f"step {i}")
        svc.deliver("pull_request", pr_event("synchronize", origin, 7, fake_github))
    svc.idle()
    (review,) = fake_github.reviews_for(7)
    assert review["commit_id"] == origin.prs[7]


def test_organisation_default_configuration(service: AnyService, origin: Origin, fake_github: FakeGitHub) -> None:
    """No .slopguard.yml in the base commit: the organisation's `.github` repository provides it."""
    fake_github.contents[("octo/.github", ".slopguard.yml")] = "review: {max_inline_comments: 1}\n"
    service.deliver("pull_request", pr_event("opened", origin, 7, fake_github))
    service.idle()
    (review,) = fake_github.reviews_for(7)
    assert len(review["comments"]) == 1  # the organisation's limit applied
    assert fake_github.calls("GET", r"^/repos/octo/\.github/contents/\.slopguard\.yml$")

    fake_github.contents[("octo/.github", ".slopguard.yml")] = "review: {max_inline_comments: many}\n"
    origin.push(7, {"extra.py": "def h(paths):\n    for p in paths:\n        open(p).read()\n"})
    service.deliver("pull_request", pr_event("synchronize", origin, 7, fake_github))
    service.idle()
    run = next(r for r in fake_github.check_runs.values() if r["head_sha"] == origin.prs[7])
    assert run["conclusion"] == "failure" and "octo/.github:.slopguard.yml" in run["output"]["summary"]


def test_repository_configuration_wins_over_the_organisation(tmp_path: Path, service: AnyService,
                                                             fake_github: FakeGitHub) -> None:
    base = {**BASE_FILES, ".slopguard.yml": "review: {max_inline_comments: 2}\n"}
    origin = Origin.create(tmp_path / "own", base, dict(HEAD_FILES))
    origin.open_pr(8)
    fake_github.contents[("octo/.github", ".slopguard.yml")] = "review: {max_inline_comments: 1}\n"
    service.deliver("pull_request", pr_event("opened", origin, 8, fake_github))
    service.idle()
    (review,) = fake_github.reviews_for(8)
    assert len(review["comments"]) == 2
    assert not fake_github.calls("GET", r"/contents/")
