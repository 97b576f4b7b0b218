"""Asks GitHub to redeliver webhook deliveries that failed, from GitHub's own delivery log.

GitHub does not redeliver a failed delivery by itself: a delivery the service never received
(it was down, unreachable, or answered 5xx) stays failed in the App's delivery log. The
reconciler lists that log (`GET /app/hook/deliveries`, as the App, newest first) over the last
`window_s`, and for every delivery id (`guid`, the X-GitHub-Delivery header) whose attempts all
failed and that the store has not recorded, asks for one more attempt
(`POST /app/hook/deliveries/{id}/attempts`). A redelivery carries the same guid, so one that
arrives twice is dropped as a repeat.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import Any

from .github_client import GitHubClient
from .store import Store

log = logging.getLogger("slopguard.reconciler")
MAX_PAGES = 20


class Reconciler:
    def __init__(self, github: GitHubClient, store: Store, *, window_s: float = 6 * 3600.0) -> None:
        self.github = github
        self.store = store
        self.window_s = window_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> list[int]:
        """One pass; returns the delivery ids (GitHub's numeric ids) it asked GitHub to redeliver."""
        since = self.github.now() - self.window_s
        succeeded: set[str] = set()
        failed: dict[str, dict[str, Any]] = {}
        for item in self._deliveries(since):
            guid = str(item.get("guid") or "")
            if not guid:
                continue
            if 200 <= int(item.get("status_code") or 0) < 300:
                succeeded.add(guid)
            else:
                failed.setdefault(guid, item)
        asked: list[int] = []
        for guid, item in failed.items():
            if guid in succeeded or self.store.knows_delivery(guid):
                continue
            self.github.request("POST", f"app/hook/deliveries/{int(item['id'])}/attempts",
                                auth=f"Bearer {self.github.app_jwt()}")
            log.info("asked GitHub to redeliver %s (%s %s, status %s)", guid, item.get("event"),
                     item.get("action") or "", item.get("status_code"))
            asked.append(int(item["id"]))
        return asked

    def _deliveries(self, since: float) -> list[dict[str, Any]]:
        """The App's delivery log back to `since` (GitHub lists the newest first)."""
        out: list[dict[str, Any]] = []
        response = self.github.request("GET", "app/hook/deliveries", auth=f"Bearer {self.github.app_jwt()}",
                                       params={"per_page": 100})
        for _ in range(MAX_PAGES):
            for item in response.json():
                if _time(str(item.get("delivered_at") or "")) < since:
                    return out
                out.append(item)
            nxt = response.links.get("next", {}).get("url")
            if not nxt:
                break
            response = self.github.request("GET", nxt, auth=f"Bearer {self.github.app_jwt()}")
        return out

    def start(self, interval_s: float) -> None:
        self._thread = threading.Thread(target=self._run, args=(interval_s,), name="slopguard-reconciler",
                                        daemon=True)
        self._thread.start()

    def _run(self, interval_s: float) -> None:
        while not self._stop.wait(interval_s):
            try:
                self.run_once()
            except Exception as exc:  # noqa: BLE001 - thread boundary: GitHub or the store may be away; next pass
                log.warning("reconciler: %s: %s", type(exc).__name__, exc)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)


def _time(value: str) -> float:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return 0.0
