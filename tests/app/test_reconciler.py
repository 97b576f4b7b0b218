"""The reconciler against the fake's delivery log: pages followed, the window respected, deliveries
the store recorded or that succeeded later left alone."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from slopguard.app.github_client import GitHubClient
from slopguard.app.reconciler import Reconciler
from slopguard.app.store import Store

from tests.app.fake_github import FakeGitHub


def logged(fake: FakeGitHub, guid: str, status: int, age_s: float) -> int:
    """An attempt in the fake's delivery log (as `send_webhook` records it), `age_s` seconds old."""
    item_id = 5000 + len(fake.hook_deliveries)
    stamp = datetime.fromtimestamp(time.time() - age_s, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    fake.hook_deliveries.append({"id": item_id, "guid": guid, "delivered_at": stamp, "redelivery": False,
                                 "status_code": status, "event": "pull_request", "action": "opened"})
    fake._hook_bodies[guid] = ("pull_request", {"action": "opened"})
    return item_id


def test_pages_window_and_what_is_left_alone(tmp_path: Path, fake_github: FakeGitHub, client: GitHubClient) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'r.db'}", migrate=True)
    try:
        logged(fake_github, "too-old", 0, age_s=7 * 3600)  # outside the six-hour window
        lost = logged(fake_github, "lost", 503, age_s=3 * 3600)
        logged(fake_github, "recorded", 0, age_s=2 * 3600)  # answered late: the store has it
        store.accept("recorded", "pull_request")
        logged(fake_github, "later-ok", 0, age_s=3600)
        logged(fake_github, "later-ok", 202, age_s=1800)
        for i in range(150):  # newer successes: the failures are on the second page
            logged(fake_github, f"ok-{i}", 202, age_s=600 - i)
        fake_github.webhook_url = "http://127.0.0.1:9/webhook"
        assert Reconciler(client, store).run_once() == [lost]
        assert len(fake_github.calls("GET", r"^/app/hook/deliveries$")) == 2  # both pages read
    finally:
        store.close()
