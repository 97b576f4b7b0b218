"""What the publisher works on: a pull request at one head commit, and what slopguard put on it so far."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class PullRequest:
    owner: str
    repo: str
    number: int
    head_sha: str

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.repo}"


@dataclass(frozen=True)
class ReviewState:
    """What slopguard has put on one pull request so far.

    `pending_review` is the hidden marker of a review POST that may be in flight (recorded before the
    POST, cleared once its answer is known) and `pending_since` when it started: after a crash or a
    timeout, the PR's reviews are searched for that marker before the review is posted again.
    """

    summary_comment_id: int | None = None
    check_runs: Mapping[str, int] = field(default_factory=dict)  # head sha -> check run id
    posted: Mapping[str, str] = field(default_factory=dict)  # fingerprint -> one-line description
    pending_review: str | None = None
    pending_since: float | None = None
