"""A durable local journal of webhook deliveries accepted while the database did not answer.

Append-only JSON lines, each written whole and fsync'ed before the delivery is answered 202, so an
accepted delivery survives a crash of the service. Replay moves the file aside (new deliveries go to
a fresh file meanwhile), hands every entry to the accept path again, and deletes the file only when
all of them went through; replaying twice is harmless because the store drops a delivery id it has
seen. A file left aside by a crash during replay is replayed first.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

log = logging.getLogger("slopguard.journal")
Entry = dict[str, Any]  # {"event", "delivery", "payload", "received_at"}


class Journal:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / "deliveries.jsonl"
        self._lock = threading.Lock()  # one appender at a time; replay swaps the file under it
        self._replay_lock = threading.Lock()

    def append(self, event: str, delivery: str, payload: dict[str, Any]) -> None:
        line = json.dumps({"event": event, "delivery": delivery, "payload": payload, "received_at": time.time()},
                          separators=(",", ":")) + "\n"
        data = line.encode("utf-8")
        with self._lock:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
            try:
                size = os.fstat(fd).st_size
                if size and os.pread(fd, 1, size - 1) != b"\n":  # a line torn by a crash: end it first
                    data = b"\n" + data
                written = os.write(fd, data)
                if written != len(data):
                    raise OSError(f"short write to {self.path}: {written} of {len(data)} bytes")
                os.fsync(fd)
            finally:
                os.close(fd)

    def pending(self) -> int:
        """Deliveries waiting for replay."""
        return sum(1 for path in self._files() for _ in _lines(path))

    def has_entries(self) -> bool:
        return bool(self._files())

    def replay(self, accept: Callable[[str, str, dict[str, Any]], object]) -> int:
        """Hand every journaled delivery to `accept`; returns how many. An exception from `accept`
        stops the replay and keeps the file for the next one."""
        with self._replay_lock:
            with self._lock:
                if self.path.exists():
                    self.path.rename(self.directory / f"replay-{time.time_ns()}.jsonl")
            done = 0
            for path in self._files(aside_only=True):
                for entry in _lines(path):
                    accept(str(entry["event"]), str(entry["delivery"]), dict(entry["payload"]))
                    done += 1
                path.unlink()
            return done

    def _files(self, *, aside_only: bool = False) -> list[Path]:
        if not self.directory.is_dir():
            return []
        aside = sorted(self.directory.glob("replay-*.jsonl"))
        return aside if aside_only or not self.path.exists() else [*aside, self.path]


def _lines(path: Path) -> Iterator[Entry]:
    """The entries of a journal file. A line torn by a crash mid-write was never answered 202 (GitHub
    counts that delivery as failed, and the reconciler asks for it again): it is logged and skipped."""
    with path.open("rb") as f:
        for number, raw in enumerate(f, 1):
            try:
                entry = json.loads(raw)
            except ValueError:
                log.error("journal %s line %d: not a whole entry (torn by a crash?); skipped", path, number)
                continue
            if isinstance(entry, dict) and isinstance(entry.get("payload"), dict):
                yield entry
            else:
                log.error("journal %s line %d: not a delivery entry; skipped", path, number)
