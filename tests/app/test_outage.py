"""No delivery lost while PostgreSQL refuses or does not answer: the embedded service's store reaches
the machine's PostgreSQL (a schema of this run's own) through a TCP proxy the test controls; the real
server is never touched. Deliveries are journaled within the deadline, /healthz says so, and once the
database answers again the journal is replayed and new deliveries go to the database at once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.app.conftest import BASE_FILES, HEAD_FILES
from tests.app.fake_github import FakeGitHub
from tests.app.harness import Backend, Origin, Service, pr_event, settings_for, wait_for
from tests.app.tcpproxy import TcpProxy

DEADLINE_S = 1.0


@pytest.fixture
def proxy() -> Iterator[TcpProxy]:
    p = TcpProxy(("127.0.0.1", 5432)).start()
    yield p
    p.stop()


def healthz(svc: Service) -> httpx.Response:
    return svc.http.get("/healthz", timeout=10)


def test_postgresql_refused_then_hanging_loses_no_delivery(tmp_path: Path, fake_github: FakeGitHub,
                                                          app_keys: tuple[str, str], distributed_backend: Backend,
                                                          proxy: TcpProxy, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    distributed_backend.reset()
    origin = Origin.create(tmp_path / "src", dict(BASE_FILES), dict(HEAD_FILES))
    for number in (7, 8, 9, 10):
        origin.open_pr(number)
    url = distributed_backend.database_url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
    svc = Service(settings_for(tmp_path, fake_github, app_keys[0], database_url=url,
                               db_deadline_s=DEADLINE_S, job_lease_s=5.0)).start()
    try:
        assert svc.deliver("pull_request", pr_event("opened", origin, 7, fake_github)).json()["status"] == "queued"
        wait_for(lambda: fake_github.reviews_for(7), 30, "the first review")
        svc.idle(30)

        proxy.refuse()
        started = time.monotonic()
        answer = svc.deliver("pull_request", pr_event("opened", origin, 8, fake_github), delivery="d-8")
        assert answer.status_code == 202 and answer.json()["status"] == "journaled"
        assert time.monotonic() - started < DEADLINE_S + 1.5
        down = healthz(svc)
        assert down.status_code == 503 and down.json()["journal"] == "1 deliveries kept"

        proxy.forward()
        wait_for(lambda: healthz(svc).status_code == 200, 10, "/healthz after the database is back")
        recovered = time.monotonic()
        assert svc.deliver("pull_request", pr_event("opened", origin, 9, fake_github)).json()["status"] == "queued"
        assert time.monotonic() - recovered < 2.0  # accepted by the database at once, no lingering failures
        wait_for(lambda: fake_github.reviews_for(8) and fake_github.reviews_for(9), 60, "the reviews of 8 and 9")
        assert svc.deliver("pull_request", pr_event("opened", origin, 8, fake_github),
                           delivery="d-8").json()["status"] == "duplicate"  # the replay recorded its id

        proxy.hang()
        started = time.monotonic()
        answer = svc.deliver("pull_request", pr_event("opened", origin, 10, fake_github))
        assert answer.json()["status"] == "journaled" and time.monotonic() - started < DEADLINE_S + 1.5
        started = time.monotonic()
        hung = healthz(svc)
        assert hung.status_code == 503 and "no answer within" in hung.json()["database"]
        assert time.monotonic() - started < DEADLINE_S + 1.5

        proxy.forward()
        wait_for(lambda: fake_github.reviews_for(10), 60, "the review of the delivery journaled while hanging")
        wait_for(lambda: healthz(svc).status_code == 200, 10, "/healthz after the hang")
        svc.idle(30)
        assert sorted(r["pull_number"] for r in fake_github.reviews) == [7, 8, 9, 10]  # none lost, none doubled
        assert not (tmp_path / "work" / "journal" / "deliveries.jsonl").exists()
    finally:
        svc.stop()
