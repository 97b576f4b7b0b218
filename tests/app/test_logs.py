"""JSON logs: delivery id, repository and PR number on the webhook and worker paths; no secrets."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from slopguard.app import logs

from tests.app.conftest import BASE_FILES, HEAD_FILES
from tests.app.fake_github import FakeGitHub
from tests.app.harness import SECRET, Origin, Service, pr_event, settings_for


class Lines(logging.Handler):
    def __init__(self, formatter: logging.Formatter) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(formatter)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def captured(app_keys: tuple[str, str]) -> Iterator[Lines]:
    handler = Lines(logs.JsonFormatter(logs.Redactor([SECRET, app_keys[0]])))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield handler
    root.removeHandler(handler)
    root.setLevel(level)


def test_formatter_fields_and_redaction(app_keys: tuple[str, str]) -> None:
    formatter = logs.JsonFormatter(logs.Redactor(["hunter2-secret", app_keys[0]]))
    record = logging.LogRecord("slopguard.test", logging.WARNING, __file__, 1,
                               "secret %s key %s token %s header %s url %s", (
                                   "hunter2-secret", app_keys[0].splitlines()[3], "ghs_" + "a" * 36,
                                   "Authorization: token abcdef123456", "https://x-access-token:zzz@github.com/o/r"),
                               None)
    with logs.context(delivery="d-1", repository="o/r", pr=7):
        entry = json.loads(formatter.format(record))
    assert entry["level"] == "warning" and entry["logger"] == "slopguard.test"
    assert (entry["delivery"], entry["repository"], entry["pr"]) == ("d-1", "o/r", 7)
    for secret in ("hunter2-secret", app_keys[0].splitlines()[3], "ghs_", "abcdef123456", "zzz"):
        assert secret not in entry["message"], entry["message"]
    assert "delivery" not in json.loads(formatter.format(record))  # the context ended with the block


def test_webhook_and_worker_lines_carry_the_delivery(tmp_path: Path, fake_github: FakeGitHub,
                                                     app_keys: tuple[str, str], captured: Lines,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    origin = Origin.create(tmp_path / "src", dict(BASE_FILES), dict(HEAD_FILES))
    origin.open_pr(7)
    service = Service(settings_for(tmp_path, fake_github, app_keys[0])).start()
    try:
        service.deliver("pull_request", pr_event("opened", origin, 7, fake_github), delivery="delivery-42")
        service.idle()
        assert fake_github.reviews_for(7)
    finally:
        service.stop()
    entries = [json.loads(line) for line in captured.lines]
    mine = [e for e in entries if e.get("delivery") == "delivery-42"]
    loggers = {e["logger"] for e in mine}
    assert {"slopguard.webhook", "slopguard.worker"} <= loggers, entries
    assert all(e["repository"] == "octo/demo" and e["pr"] == 7 for e in mine)
    assert any("published review" in e["message"] for e in mine)
    text = "\n".join(captured.lines)
    assert SECRET not in text and "ghs_" not in text and app_keys[0].splitlines()[2] not in text
