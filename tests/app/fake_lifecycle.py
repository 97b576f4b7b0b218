"""The fake GitHub's parts for the App's lifecycle (a mixin of FakeGitHub, in GitHub's documented shapes):
the App's webhook delivery log and redeliveries, GraphQL review threads, review dismissals, check runs
listed by commit, renamed repositories and the repository scope of installation tokens."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx


@dataclass
class Reply:
    status: int
    body: Any = None  # JSON, or bytes sent as they are (HTML pages)
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=utf-8"


def repository_id(full_name: str) -> int:
    """The id the fake gives a repository name it has not seen renamed (stable across runs)."""
    return zlib.crc32(full_name.encode()) % 10**8 + 1


class LifecycleEndpoints:
    # set by FakeGitHub.__init__
    lock: threading.RLock
    clock: Callable[[], float]
    pulls: dict[tuple[str, int], Any]
    reviews: list[dict[str, Any]]
    review_comments: list[dict[str, Any]]
    check_runs: dict[int, dict[str, Any]]
    repo_ids: dict[str, int]
    renamed: dict[str, str]
    token_scopes: dict[str, dict[str, Any]]
    resolved_threads: set[str]
    webhook_url: str
    webhook_secret: str
    hook_deliveries: list[dict[str, Any]]
    _hook_bodies: dict[str, tuple[str, dict[str, Any]]]
    _ids: Iterator[int]
    url: str  # FakeGitHub's property

    def repo_id(self, full_name: str) -> int:
        return self.repo_ids.get(full_name, repository_id(full_name))

    def rename(self, old: str, new: str) -> None:
        """The repository `old` is now `new` (same id); its pull requests move with it."""
        with self.lock:
            self.repo_ids[new] = self.repo_id(old)
            self.renamed[old] = new
            owner, name = new.split("/")
            for key in [k for k in self.pulls if k[0] == old]:
                pull = self.pulls.pop(key)
                pull.owner, pull.repo = owner, name
                self.pulls[(new, pull.number)] = pull

    def send_webhook(self, event: str, payload: dict[str, Any], guid: str = "", *, redelivery: bool = False) -> int:
        """Deliver `event` to `webhook_url` as GitHub does and log the attempt; the HTTP status, 0 when
        the service could not be reached."""
        guid = guid or secrets.token_hex(16)
        body = json.dumps(payload).encode()
        signature = "sha256=" + hmac.new(self.webhook_secret.encode(), body, hashlib.sha256).hexdigest()
        headers = {"content-type": "application/json", "x-github-event": event, "x-github-delivery": guid,
                   "x-hub-signature-256": signature, "user-agent": "GitHub-Hookshot/fake"}
        started = time.monotonic()
        try:
            status = httpx.post(self.webhook_url, content=body, headers=headers, timeout=10).status_code
        except httpx.TransportError:
            status = 0
        with self.lock:
            self._hook_bodies[guid] = (event, payload)
            self.hook_deliveries.append({
                "id": next(self._ids), "guid": guid, "redelivery": redelivery,
                "delivered_at": datetime.fromtimestamp(self.clock(), UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "duration": round(time.monotonic() - started, 3),
                "status": "OK" if 200 <= status < 300 else ("failed to connect to host" if status == 0
                                                            else f"Invalid HTTP Response: {status}"),
                "status_code": status, "event": event, "action": payload.get("action"),
                "installation_id": (payload.get("installation") or {}).get("id"),
                "repository_id": (payload.get("repository") or {}).get("id"), "throttled_at": None})
        return status

    def _in_scope(self, auth: str, full_name: str) -> bool:
        """Whether an installation token narrowed to some repositories covers `full_name`."""
        scope = self.token_scopes.get(auth.partition(" ")[2]) or {}
        if "repository_ids" in scope:
            return self.repo_id(full_name) in scope["repository_ids"]
        if "repositories" in scope:
            return full_name.split("/")[1] in scope["repositories"]
        return True

    def _dismiss_review(self, m: re.Match[str], data: Any, q: dict[str, str]) -> Reply:
        review = next((r for r in self.reviews if r["id"] == int(m["id"]) and r["pull_number"] == int(m["n"])
                       and r["repo"] == f"{m['owner']}/{m['repo']}"), None)
        if review is None:
            return Reply(404, {"message": "Not Found"})
        if not isinstance(data, dict) or not data.get("message"):
            return Reply(422, {"message": "Invalid request.", "errors": ["message is missing"]})
        if review["state"] not in ("CHANGES_REQUESTED", "APPROVED"):
            return Reply(422, {"message": "Can not dismiss a commented pull request review"})
        review["state"] = "DISMISSED"
        return Reply(200, {k: v for k, v in review.items() if k not in ("comments", "pull_number", "repo")})

    def _graphql(self, m: re.Match[str], data: Any, q: dict[str, str]) -> Reply:
        query = str((data or {}).get("query") or "")
        variables = (data or {}).get("variables") or {}
        if "resolveReviewThread" in query:
            thread = str(variables.get("threadId", ""))
            if not any(f"PRRT_{c['id']}" == thread for c in self.review_comments):
                return Reply(200, {"data": {"resolveReviewThread": None}, "errors": [
                    {"type": "NOT_FOUND", "path": ["resolveReviewThread"],
                     "message": f"Could not resolve to a node with the global id of '{thread}'"}]})
            self.resolved_threads.add(thread)
            return Reply(200, {"data": {"resolveReviewThread": {"thread": {"id": thread, "isResolved": True}}}})
        if "reviewThreads" in query:
            full = f"{variables.get('owner')}/{variables.get('name')}"
            comments = [c for c in self.review_comments
                        if c["pull_number"] == variables.get("number") and self._pull_repo(c) == full]
            nodes = [{"id": f"PRRT_{c['id']}", "isResolved": f"PRRT_{c['id']}" in self.resolved_threads,
                      "comments": {"nodes": [{"body": c["body"], "author": {"login": "slopguard"}}]}}
                     for c in comments]
            return Reply(200, {"data": {"repository": {"pullRequest": {"reviewThreads": {
                "nodes": nodes, "pageInfo": {"hasNextPage": False, "endCursor": None}}}}}})
        return Reply(200, {"errors": [{"message": "the fake answers only reviewThreads and resolveReviewThread"}]})

    def _pull_repo(self, comment: dict[str, Any]) -> str:
        review = next((r for r in self.reviews if r["id"] == comment["pull_request_review_id"]), None)
        return str(review["repo"]) if review else ""

    def _list_hook_deliveries(self, m: re.Match[str], data: Any, q: dict[str, str]) -> Reply:
        """Newest first, `per_page` at a time, the next page named by a cursor in the Link header."""
        newest = [{k: v for k, v in d.items()} for d in reversed(self.hook_deliveries)]
        per_page = min(int(q.get("per_page", 30)), 100)
        start = int(q.get("cursor", 0))
        headers = {}
        if start + per_page < len(newest):
            nxt = f"{self.url}/app/hook/deliveries?per_page={per_page}&cursor={start + per_page}"
            headers["link"] = f'<{nxt}>; rel="next"'
        return Reply(200, newest[start:start + per_page], headers)

    def _redeliver(self, m: re.Match[str], data: Any, q: dict[str, str]) -> Reply:
        item = next((d for d in self.hook_deliveries if d["id"] == int(m["id"])), None)
        if item is None:
            return Reply(404, {"message": "Not Found"})
        event, payload = self._hook_bodies[item["guid"]]
        threading.Thread(target=self.send_webhook, args=(event, payload, item["guid"]),
                         kwargs={"redelivery": True}, daemon=True).start()
        return Reply(202, {})

    def _list_check_runs_for_ref(self, m: re.Match[str], data: Any, q: dict[str, str]) -> Reply:
        full = f"{m['owner']}/{m['repo']}"
        runs = [r for r in self.check_runs.values() if r["repo"] == full and r["head_sha"] == m["ref"]
                and (not q.get("check_name") or r["name"] == q["check_name"])]
        if q.get("filter", "latest") == "latest":  # the newest run of each name
            newest = {r["name"]: r for r in sorted(runs, key=lambda r: r["id"])}
            runs = list(newest.values())
        shown = [{k: v for k, v in r.items() if k not in ("annotations", "repo", "updates")} for r in runs]
        return Reply(200, {"total_count": len(shown), "check_runs": shown})
