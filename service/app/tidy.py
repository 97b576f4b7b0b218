"""Keeping slopguard's own reviews and threads tidy once findings are fixed.

- A `REQUEST_CHANGES` review of slopguard's keeps blocking the merge until it is dismissed: once no
  blocking finding remains, slopguard dismisses its own reviews in state CHANGES_REQUESTED
  (`PUT .../reviews/{id}/dismissals`).
- The review threads of slopguard's inline comments whose finding is fixed (its fingerprint, in the
  comment's hidden tag, is no longer found) are resolved through GraphQL (`resolveReviewThread`);
  the REST API cannot resolve threads.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..config import Config
from ..models import Finding
from .github_client import Installation
from .pulls import PullRequest

FP_TAG = "<!-- slopguard:fp="
REVIEW_TAG = "<!-- slopguard:review="
DISMISS_MESSAGE = "slopguard: the findings that requested changes are fixed."
THREADS_QUERY = """
query($owner: String!, $name: String!, $number: Int!, $after: String) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      reviewThreads(first: 100, after: $after) {
        nodes { id isResolved comments(first: 1) { nodes { body author { login } } } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}
"""
RESOLVE_MUTATION = """
mutation($threadId: ID!) { resolveReviewThread(input: {threadId: $threadId}) { thread { id isResolved } } }
"""
MAX_THREAD_PAGES = 10


def blocking(findings: Iterable[Finding], config: Config) -> bool:
    """Whether a finding blocks the merge: at or above `review.fail_check_on` (any finding when never)."""
    threshold = config.fail_check_on
    return any(threshold is None or f.severity.rank >= threshold.rank for f in findings)


def fingerprint_of(body: str) -> str | None:
    if FP_TAG not in body:
        return None
    return body.split(FP_TAG, 1)[1].split(" ", 1)[0].split("-->", 1)[0].strip()


class Tidy:
    def __init__(self, api: Installation) -> None:
        self.api = api

    def dismiss_change_requests(self, pr: PullRequest) -> list[int]:
        """Dismiss slopguard's reviews that still request changes; their ids."""
        dismissed = []
        for review in self.api.paginate(f"repos/{pr.full_name}/pulls/{pr.number}/reviews"):
            if review.get("state") == "CHANGES_REQUESTED" and REVIEW_TAG in str(review.get("body") or "") \
                    and (review.get("user") or {}).get("type", "Bot") == "Bot":
                self.api.request("PUT", f"repos/{pr.full_name}/pulls/{pr.number}/reviews/{review['id']}/dismissals",
                                 json={"message": DISMISS_MESSAGE, "event": "DISMISS"})
                dismissed.append(int(review["id"]))
        return dismissed

    def resolve_fixed_threads(self, pr: PullRequest, fixed: set[str]) -> list[str]:
        """Resolve the unresolved threads opened by slopguard's comments on the `fixed` fingerprints."""
        if not fixed:
            return []
        resolved = []
        for thread in self._threads(pr):
            first = ((thread.get("comments") or {}).get("nodes") or [{}])[0]
            if thread.get("isResolved") or fingerprint_of(str(first.get("body") or "")) not in fixed:
                continue
            self.api.graphql(RESOLVE_MUTATION, {"threadId": thread["id"]})
            resolved.append(str(thread["id"]))
        return resolved

    def _threads(self, pr: PullRequest) -> list[dict[str, Any]]:
        threads: list[dict[str, Any]] = []
        after: str | None = None
        for _ in range(MAX_THREAD_PAGES):
            data = self.api.graphql(THREADS_QUERY, {"owner": pr.owner, "name": pr.repo, "number": pr.number,
                                                    "after": after})
            page = (((data.get("repository") or {}).get("pullRequest") or {}).get("reviewThreads") or {})
            threads += page.get("nodes") or []
            info = page.get("pageInfo") or {}
            if not info.get("hasNextPage"):
                break
            after = info.get("endCursor")
        return threads
