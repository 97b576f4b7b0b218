"""Webhook payloads for the feedback events, in GitHub's documented shapes, built around the fake
GitHub's own view of the review comments (so `line` is null exactly when GitHub would say outdated)."""

from __future__ import annotations

import copy
from typing import Any

from tests.app.fake_github import FakeGitHub
from tests.app.harness import Origin, pr_event


def _context(origin: Origin, number: int, fake: FakeGitHub, author: str) -> dict[str, Any]:
    base = pr_event("opened", origin, number, fake)
    pr = copy.deepcopy(base["pull_request"])
    pr["user"] = {"login": author, "id": 7100, "type": "User"}
    return {"pull_request": pr, "repository": base["repository"], "installation": base["installation"]}


def review_comment_created(origin: Origin, number: int, fake: FakeGitHub, comment: dict[str, Any],
                           author: str = "dev") -> dict[str, Any]:
    """pull_request_review_comment `created` for `comment` (a reply made with fake.reply_to)."""
    return {"action": "created", "comment": comment, **_context(origin, number, fake, author),
            "sender": comment["user"]}


def review_thread(action: str, origin: Origin, number: int, fake: FakeGitHub, root_id: int, sender: str,
                  author: str = "dev") -> dict[str, Any]:
    """pull_request_review_thread `resolved`/`unresolved` for the thread that starts at `root_id`."""
    with fake.lock:
        thread = [fake.review_comment_view(c) for c in fake.review_comments
                  if c["id"] == root_id or c.get("in_reply_to_id") == root_id]
    return {"action": action, "thread": {"node_id": f"PRRT_{root_id}", "comments": thread},
            **_context(origin, number, fake, author), "sender": {"login": sender, "id": 7200, "type": "User"}}


def pull_request_closed(origin: Origin, number: int, fake: FakeGitHub, author: str = "dev") -> dict[str, Any]:
    data = pr_event("opened", origin, number, fake)
    data["action"] = "closed"
    data["pull_request"].update(state="closed", merged=True, user={"login": author, "id": 7100, "type": "User"})
    return data
