"""The fake GitHub's review comment threads and reactions (mixed into FakeGitHub).

Shapes follow GitHub's REST documentation: a review comment carries `line`/`original_line`,
`commit_id`/`original_commit_id`, `in_reply_to_id` for replies and a `reactions` rollup; `line` turns
null once a push changed the lines it was on (GitHub calls it outdated). Reactions: POST answers 201
for a new reaction and 200 for one the user already left; the contents GitHub knows are the only
ones accepted (422 otherwise).
"""

from __future__ import annotations

import itertools
import re
import subprocess
from typing import TYPE_CHECKING, Any

from tests.app.fake_lifecycle import Reply

if TYPE_CHECKING:
    from tests.app.fake_github import FakeGitHub, Pull

REACTIONS = ("+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes")
BOT = {"login": "slopguard[bot]", "id": 99, "type": "Bot"}
_reaction_ids = itertools.count(50_000)


def _diff_hunks(repo: str, old: str, new: str, path: str) -> list[tuple[int, int, int, int]]:
    out = subprocess.run(["git", "-C", repo, "diff", "--no-color", "-U0", old, new, "--", path], check=True,
                         capture_output=True, text=True).stdout
    hunks = []
    for m in re.finditer(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@", out, re.M):
        hunks.append((int(m[1]), int(m[2] if m[2] is not None else 1), int(m[3]), int(m[4] if m[4] is not None else 1)))
    return hunks


def current_line(pull: Pull, comment: dict[str, Any]) -> int | None:
    """Where a RIGHT-side comment sits on the PR's head now, or None when its lines changed."""
    original = comment.get("original_line")
    if comment.get("side", "RIGHT") != "RIGHT" or not isinstance(original, int):
        return original if isinstance(original, int) else None
    first = int(comment.get("start_line") or original)
    if comment["original_commit_id"] == pull.head_sha:
        return original
    shift = 0
    for old_start, old_len, _new_start, new_len in _diff_hunks(str(pull.repo_path), comment["original_commit_id"],
                                                              pull.head_sha, comment["path"]):
        old_end = old_start + max(old_len, 1) - 1
        if old_len == 0:  # pure insertion after old_start
            if old_start < first:
                shift += new_len
            elif old_start < original:
                return None
            continue
        if old_start <= original and old_end >= first:
            return None
        if old_end < first:
            shift += new_len - old_len
    return original + shift


class FeedbackEndpoints:
    """Review comment threads and reactions."""

    def _init_feedback(self: FakeGitHub) -> None:
        self.reactions: dict[int, list[dict[str, Any]]] = {}  # review comment id -> reactions

    def _reset_feedback(self: FakeGitHub) -> None:
        self.reactions.clear()

    def _feedback_routes(self: FakeGitHub) -> list[tuple[str, str, Any]]:
        repo = r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)"
        return [
            ("GET", repo + r"/pulls/comments/(?P<id>\d+)", self._get_review_comment),
            ("GET", repo + r"/pulls/comments/(?P<id>\d+)/reactions", self._list_reactions),
            ("POST", repo + r"/pulls/comments/(?P<id>\d+)/reactions", self._create_reaction),
            ("POST", repo + r"/issues/comments/(?P<id>\d+)/reactions", self._create_reaction),
        ]

    # ------------------------------------------------------------------ the public shape

    def review_comment_view(self: FakeGitHub, comment: dict[str, Any]) -> dict[str, Any]:
        pull = next((p for p in self.pulls.values() if p.number == comment["pull_number"]), None)
        line = current_line(pull, comment) if pull is not None else comment.get("original_line")
        rollup: dict[str, Any] = dict.fromkeys(REACTIONS, 0)
        for reaction in self.reactions.get(comment["id"], []):
            rollup[reaction["content"]] += 1
        rollup["total_count"] = sum(rollup[k] for k in REACTIONS)
        view = {k: v for k, v in comment.items() if k not in ("pull_number",)}
        view.update(line=line, position=None if line is None else view.get("position", 1), reactions=rollup,
                    commit_id=pull.head_sha if pull is not None and line is not None else comment["original_commit_id"])
        return view

    # ------------------------------------------------------------------ test helpers

    def reply_to(self: FakeGitHub, comment_id: int, user: str, body: str) -> dict[str, Any]:
        """A person's reply in the thread of review comment `comment_id` (GitHub's shape)."""
        with self.lock:
            parent = next(c for c in self.review_comments if c["id"] == comment_id)
            reply = {"id": next(self._ids), "pull_request_review_id": next(self._ids), "in_reply_to_id": comment_id,
                     "pull_number": parent["pull_number"], "user": {"login": user, "id": 7000, "type": "User"},
                     "body": body, "path": parent["path"], "side": parent.get("side", "RIGHT"),
                     "original_line": parent["original_line"], "original_commit_id": parent["original_commit_id"]}
            self.review_comments.append(reply)
            return self.review_comment_view(reply)

    def comment_as(self: FakeGitHub, repo: str, number: int, user: str, body: str) -> dict[str, Any]:
        """A person's comment in a pull request's conversation (an issue comment), as GitHub stores it."""
        with self.lock:
            comment = {"id": next(self._ids), "body": body, "user": {"login": user, "id": 7002, "type": "User"},
                       "issue_number": number, "repo": repo, "edits": 0}
            self.issue_comments[comment["id"]] = comment
            return comment

    def react(self: FakeGitHub, comment_id: int, user: str, content: str) -> None:
        with self.lock:
            self.reactions.setdefault(comment_id, []).append(
                {"id": next(_reaction_ids), "content": content, "user": {"login": user, "id": 7001, "type": "User"},
                 "created_at": "2026-01-01T00:00:00Z"})

    def bot_comments(self: FakeGitHub, number: int) -> list[dict[str, Any]]:
        with self.lock:
            return [self.review_comment_view(c) for c in self.review_comments
                    if c["pull_number"] == number and c["user"] == BOT]

    # ------------------------------------------------------------------ endpoints

    def _comment(self: FakeGitHub, m: re.Match[str]) -> dict[str, Any] | None:
        """The review comment (or, on /issues/ paths, the issue comment) the path names."""
        if "/issues/" in m.string:
            comment = self.issue_comments.get(int(m["id"]))
            return comment if comment is not None and comment["repo"] == f"{m['owner']}/{m['repo']}" else None
        return next((c for c in self.review_comments if c["id"] == int(m["id"])), None)

    def _get_review_comment(self: FakeGitHub, m: re.Match[str], data: Any, q: dict[str, str]) -> Reply:
        comment = self._comment(m)
        if comment is None:
            return Reply(404, {"message": "Not Found"})
        return Reply(200, self.review_comment_view(comment))

    def _list_reactions(self: FakeGitHub, m: re.Match[str], data: Any, q: dict[str, str]) -> Reply:
        if self._comment(m) is None:
            return Reply(404, {"message": "Not Found"})
        wanted = q.get("content")
        items = [r for r in self.reactions.get(int(m["id"]), []) if not wanted or r["content"] == wanted]
        return self._page(items, q, m.string)

    def _create_reaction(self: FakeGitHub, m: re.Match[str], data: Any, q: dict[str, str]) -> Reply:
        if self._comment(m) is None:
            return Reply(404, {"message": "Not Found"})
        content = (data or {}).get("content")
        if content not in REACTIONS:
            return Reply(422, {"message": "Validation Failed", "errors": [{"field": "content", "code": "invalid"}]})
        existing = next((r for r in self.reactions.get(int(m["id"]), [])
                         if r["content"] == content and r["user"] == BOT), None)
        if existing is not None:
            return Reply(200, existing)
        reaction = {"id": next(_reaction_ids), "content": content, "user": BOT, "created_at": "2026-01-01T00:00:00Z"}
        self.reactions.setdefault(int(m["id"]), []).append(reaction)
        return Reply(201, reaction)
