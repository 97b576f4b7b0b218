"""The local delivery journal: appended whole and fsync'ed, replayed in order, kept when replay fails."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from slopguard.app.journal import Journal


def test_replay_in_order_then_empty(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j")
    assert journal.pending() == 0 and not journal.has_entries()
    for i in range(3):
        journal.append("pull_request", f"d{i}", {"number": i, "text": "é"})
    assert journal.pending() == 3
    seen: list[tuple[str, str, dict[str, Any]]] = []
    assert journal.replay(lambda *entry: seen.append(entry)) == 3
    assert [s[1] for s in seen] == ["d0", "d1", "d2"] and seen[0][2] == {"number": 0, "text": "é"}
    assert journal.pending() == 0 and list((tmp_path / "j").iterdir()) == []


def test_a_failed_replay_keeps_everything_and_new_entries_go_to_a_new_file(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j")
    journal.append("pull_request", "a", {})
    journal.append("pull_request", "b", {})

    def fail_on_b(event: str, delivery: str, payload: dict[str, Any]) -> None:
        journal.append("pull_request", "c", {})  # a delivery arriving while the replay runs
        if delivery == "b":
            raise ConnectionError("database gone again")

    with pytest.raises(ConnectionError):
        journal.replay(fail_on_b)
    assert journal.pending() == 4  # a and b kept aside (a again: replay is idempotent), c, c
    seen: list[str] = []
    assert journal.replay(lambda event, delivery, payload: seen.append(delivery)) == 4
    assert seen == ["a", "b", "c", "c"] and journal.pending() == 0


def test_a_torn_line_is_skipped_not_fatal(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    journal = Journal(tmp_path / "j")
    journal.append("pull_request", "a", {})
    with journal.path.open("ab") as f:
        f.write(b'{"event": "pull_request", "deliv')  # a crash mid-write: never answered 202
    journal.append("pull_request", "b", {})
    seen: list[str] = []
    journal.replay(lambda event, delivery, payload: seen.append(delivery))
    assert seen == ["a", "b"]  # the entry after the torn line is whole
    assert "not a whole entry" in caplog.text
