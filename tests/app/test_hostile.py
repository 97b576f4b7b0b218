"""Hostile pull requests and repositories against the real service (issue 14): the service on a
local port with the fake GitHub, real bare repositories, the fake LLM servers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.app.conftest import BASE_FILES, HEAD_FILES
from tests.app.fake_github import FakeGitHub
from tests.app.harness import Origin, Service, pr_event, settings_for

PNG = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(256))


@pytest.fixture
def start(tmp_path: Path, fake_github: FakeGitHub, app_keys: tuple[str, str],
          monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Service]]:
    """An embedded service (what `slopguard serve` runs) with settings overrides; stopped afterwards."""
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "SLOPGUARD_LLM_API_KEY", "OPENAI_API_KEY",
                 "SLOPGUARD_LLM_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    started: list[Service] = []

    def make(**overrides: Any) -> Service:
        root = tmp_path / f"svc{len(started)}"
        root.mkdir()
        svc = Service(settings_for(root, fake_github, app_keys[0], **overrides)).start()
        started.append(svc)
        return svc

    yield make
    for svc in started:
        svc.stop()


def review(svc: Service, fake: FakeGitHub, tmp_path: Path, base: dict[str, str | bytes | None],
           head: dict[str, str | bytes | None], number: int = 7, **event: Any) -> tuple[Origin, dict[str, Any]]:
    """Open a PR with these trees, let the service review it, return the origin and its check run."""
    origin = Origin.create(tmp_path / f"pr{number}", base, head)
    origin.open_pr(number)
    assert svc.deliver("pull_request", pr_event("opened", origin, number, fake, **event)).status_code == 202
    svc.idle(timeout=60)
    (run,) = [r for r in fake.check_runs.values() if r["head_sha"] == origin.prs[number]]
    assert run["status"] == "completed"
    return origin, run


# ------------------------------------------------------------------ high 1: review skipped through a file name


def test_a_file_name_with_a_space_is_reviewed_inline(start: Callable[..., Service], fake_github: FakeGitHub,
                                                      tmp_path: Path) -> None:
    svc = start()
    _, run = review(svc, fake_github, tmp_path, dict(BASE_FILES), {"auth helpers.py": HEAD_FILES["app.py"]})
    (rev,) = fake_github.reviews_for(7)
    rules = {c["body"].split("`")[1] for c in rev["comments"] if c["path"] == "auth helpers.py"}
    assert {"python.error-handling.swallowed-exception", "python.excessive-io.io-in-loop"} <= rules
    assert run["conclusion"] == "success" and "not reviewed" not in run["output"]["title"]  # warnings only


def test_a_file_that_is_not_reviewed_never_passes_silently(start: Callable[..., Service], fake_github: FakeGitHub,
                                                           tmp_path: Path) -> None:
    svc = start()
    _, run = review(svc, fake_github, tmp_path, dict(BASE_FILES), {"logo.png": PNG, "notes.txt": "hello\n"})
    assert run["conclusion"] == "neutral"
    assert run["output"]["title"].endswith("1 file(s) not reviewed")
    assert "logo.png" in run["output"]["summary"]
