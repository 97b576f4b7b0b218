"""Which webhook deliveries carry feedback, and the queued job each one becomes.

- pull_request_review_comment `created`: a reply (`in_reply_to_id`) saying `/slopguard wrong|ignore`;
- pull_request_review_thread `resolved` / `unresolved`: the thread's first comment is slopguard's;
- pull_request `closed`: the last chance to read the 👍/👎 on slopguard's comments;
- issue_comment `created` on a pull request: `/slopguard restore RULE`.
The webhook only recognises these; the worker checks who asked and talks to GitHub.
"""

from __future__ import annotations

from typing import Any

from . import feedback

EVENTS = frozenset({"pull_request_review_comment", "pull_request_review_thread", "pull_request", "issue_comment"})


def job_for(event: str, payload: dict[str, Any], installation: int, repo: str, delivery: str) -> dict[str, Any] | None:
    """The feedback job a delivery asks for, or None when it is not feedback."""
    action = payload.get("action")
    pr = payload.get("pull_request") or {}
    sender = str((payload.get("sender") or {}).get("login", ""))
    base = {"repo": repo, "installation_id": installation, "delivery": delivery[:64]}
    if event == "pull_request_review_comment" and action == "created":
        comment = payload.get("comment") or {}
        reply = feedback.parse_reply(str(comment.get("body") or ""))
        user = comment.get("user") or {}
        if (reply is None or not isinstance(comment.get("in_reply_to_id"), int) or user.get("type") == "Bot"
                or not isinstance(pr.get("number"), int) or not isinstance(comment.get("id"), int)):
            return None
        return {**base, "kind": "reply", "number": pr["number"], "user": str(user.get("login", "")),
                "comment_id": comment["id"], "parent_id": comment["in_reply_to_id"], "verdict": reply.verdict,
                "reason": reply.reason, "author": str((pr.get("user") or {}).get("login", ""))}
    if event == "pull_request_review_thread" and action in ("resolved", "unresolved"):
        comments = (payload.get("thread") or {}).get("comments") or []
        if not comments or not isinstance(pr.get("number"), int) or (payload.get("sender") or {}).get("type") == "Bot":
            return None  # slopguard resolving its own threads (findings fixed) is no one's feedback
        root = comments[0]
        found = feedback.finding_of(root) if isinstance(root, dict) else None
        if found is None:
            return None
        return {**base, "kind": "thread", "number": pr["number"], "user": sender, "action": action,
                "comment_id": found.comment_id, "rule": found.rule, "fingerprint": found.fingerprint,
                "outdated": found.outdated}
    if event == "pull_request" and action == "closed" and isinstance(pr.get("number"), int):
        return {**base, "kind": "closed", "number": pr["number"], "user": sender}
    if event == "issue_comment" and action == "created":
        issue = payload.get("issue") or {}
        comment = payload.get("comment") or {}
        user = comment.get("user") or {}
        rule = feedback.parse_restore(str(comment.get("body") or ""))
        if (rule is None or not issue.get("pull_request") or user.get("type") == "Bot"
                or not isinstance(issue.get("number"), int)):
            return None
        return {**base, "kind": "restore", "number": issue["number"], "user": str(user.get("login", "")),
                "rule": rule, "comment_id": comment.get("id") if isinstance(comment.get("id"), int) else None}
    return None
