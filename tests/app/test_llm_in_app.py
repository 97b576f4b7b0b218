"""The LLM pass inside the App: assumptions become inline review comments and the summary shows
the pass's cost; the real Anthropic SDK talks to a local fake Messages API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.app.conftest import BASE_FILES, HEAD_FILES
from tests.app.fake_github import FakeGitHub
from tests.app.harness import Origin, Service, pr_event, settings_for
from tests.fakes.llm_servers import anthropic_tool_reply, serve

ASSUMPTION = {
    "path": "app.py", "line": 11, "assumption": "Every id in `ids` exists on the remote service.",
    "why_it_matters": "A 404 is silently ignored and the caller believes all records were synced.",
    "question": "What should happen to ids the service does not know?",
}


@pytest.fixture
def service(tmp_path: Path, fake_github: FakeGitHub, app_keys: tuple[str, str],
            monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Service, list[dict]]]:
    with serve("/v1/messages", [(200, anthropic_tool_reply([ASSUMPTION], 2000, 300))]) as fake_llm:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-0000000000000000000000")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_llm.url)
        monkeypatch.setenv("SLOPGUARD_CACHE_DIR", str(tmp_path / "llm-cache"))
        svc = Service(settings_for(tmp_path, fake_github, app_keys[0])).start()
        yield svc, fake_llm.requests
        svc.stop()


def test_assumptions_are_inline_comments_and_the_summary_shows_the_cost(
        service: tuple[Service, list[dict]], tmp_path: Path, fake_github: FakeGitHub) -> None:
    svc, llm_requests = service
    origin = Origin.create(tmp_path / "src", dict(BASE_FILES), dict(HEAD_FILES))
    origin.open_pr(9)
    assert svc.deliver("pull_request", pr_event("opened", origin, 9, fake_github,
                                                 body="Sync records by id.")).status_code == 202
    svc.idle()
    assert len(llm_requests) == 1
    assert "Sync records by id." in llm_requests[0]["messages"][0]["content"]
    (review,) = fake_github.reviews_for(9)
    llm_comments = [c for c in review["comments"] if "Every id in `ids` exists" in c["body"]]
    assert len(llm_comments) == 1 and llm_comments[0]["path"] == "app.py" and llm_comments[0]["line"] == 11
    assert len(review["comments"]) > 1  # the static findings are still there
    (summary,) = fake_github.summaries_for(9)
    cost = (2000 * 3 + 300 * 15) / 1e6
    assert f"${cost:.4f}" in summary["body"] and "LLM pass:" in summary["body"]
    assert "silent-assumption" in summary["body"]


def test_cached_answers_are_kept_apart_per_installation(
        service: tuple[Service, list[dict]], tmp_path: Path, fake_github: FakeGitHub) -> None:
    """The same change reviewed for two installations: each asks the model once (issue 14: the
    answer cache was shared across installations); the same installation again: its own cache."""
    svc, llm_requests = service
    origin = Origin.create(tmp_path / "src", dict(BASE_FILES), dict(HEAD_FILES))
    for number, installation in ((9, 77), (10, 78), (11, 77)):
        origin.open_pr(number)
        event = pr_event("opened", origin, number, fake_github, body="Sync records by id.", installation=installation)
        assert svc.deliver("pull_request", event).status_code == 202
        svc.idle(timeout=90)
        assert fake_github.reviews_for(number)
    assert len(llm_requests) == 2
