"""Publishing a scan on a pull request: one review, one summary comment, one check run.

All of GitHub's quirks live here:
- one review per run, `commit_id` = head sha, inline comments only on lines of the diff,
  `start_line`/`start_side` only when they differ from `line`, at most `max_inline_comments`
  (the rest listed in the review body);
- a review GitHub rejects with 422 is retried without the comments GitHub's own diff does not
  allow (from `GET /pulls/{n}/files`), then without inline comments; the rejected ones are
  listed in the review body and the summary, never lost;
- a review POST is never retried blindly: after a 5xx or a lost connection the PR's reviews are
  listed and the hidden `<!-- slopguard:review=... -->` tag in the body shows whether GitHub created
  it anyway;
- the summary issue comment carries MARKER, is created once and then edited in place (found again
  by its marker when the stored id is lost or the comment was deleted);
- the `slopguard` check run (checks.py) is created once per head and completed with annotations in
  batches of 50 and a summary cut to 65,535 bytes; its conclusion follows `review.fail_check_on`;
- a review is posted at most once per head and content: its marker is recorded (through `save`)
  before the POST, so after a crash or a timeout the PR's reviews are searched for it first, once
  `settle_s` has passed since that POST started (GitHub ends a request within ten seconds);
- a finding whose fingerprint was already posted on the PR is not posted again; posted ones that
  are gone are listed as resolved in the summary.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..config import Config
from ..models import Finding, Fix, ScanResult, Severity
from ..reporters import markdown
from ..reporters.help import page_uri
from . import diffmap, posted_record
from .checks import CheckRuns, cut_bytes
from .errors import GitHubError
from .github_client import RETRY_STATUSES, Installation
from .pulls import PullRequest, ReviewState
from .tidy import FP_TAG, REVIEW_TAG, Tidy, blocking, fingerprint_of

log = logging.getLogger("slopguard.publisher")
__all__ = ["Outcome", "Publisher", "PullRequest", "ReviewState", "review_marker"]
MARKER = markdown.MARKER
MAX_COMMENT_BYTES = 65536
DEFAULT_SETTLE_S = 15.0
_LEVEL = {Severity.ERROR: "failure", Severity.WARNING: "warning", Severity.NOTICE: "notice"}
_ICON = {Severity.ERROR: "🔴", Severity.WARNING: "🟠", Severity.NOTICE: "🔵"}


@dataclass(frozen=True)
class Outcome:
    state: ReviewState
    review_id: int | None
    inline: int
    overflow: tuple[Finding, ...]
    rejected: tuple[Finding, ...]
    resolved: tuple[str, ...]
    conclusion: str


@dataclass(frozen=True)
class _Comment:
    finding: Finding
    body: dict[str, Any]


class Publisher:
    """Publishes scans on one installation's pull requests.

    `save` persists the review state at the points that matter for not posting twice (before and
    right after the review POST); without it (a one-shot run) the state only comes back in Outcome.
    """

    def __init__(self, api: Installation, *, save: Callable[[ReviewState], None] | None = None,
                 settle_s: float = DEFAULT_SETTLE_S, clock: Callable[[], float] = time.time) -> None:
        self.api = api
        self.checks = CheckRuns(api)
        self._save = save or (lambda state: None)
        self.settle_s = settle_s
        self._clock = clock

    # ------------------------------------------------------------------ check run

    def start_check(self, pr: PullRequest, state: ReviewState, *, reuse: int | None = None) -> ReviewState:
        """The head's check run: `reuse` (this job's, from an earlier attempt), else an open one of
        this App's on the head commit, else a new one."""
        run_id = reuse if reuse is not None else self.checks.find_open(pr)
        if run_id is None:
            run_id = self.checks.create(pr)
        return replace(state, check_runs={**state.check_runs, pr.head_sha: run_id})

    def complete_check(self, pr: PullRequest, run_id: int, conclusion: str, title: str, reason: str) -> None:
        self.checks.complete(pr, run_id, conclusion, title, reason)

    # ------------------------------------------------------------------ publish

    def publish(self, pr: PullRequest, result: ScanResult, config: Config, state: ReviewState, *,
                check_run: bool = True, summary_only: frozenset[str] = frozenset(), note: str = "") -> Outcome:
        """Review, summary comment and (unless `check_run` is False: the GitHub Action, whose job is
        the check) the check run. `summary_only`: rules demoted for the repository (listed, never
        inline); `note` ends the summary."""
        if state.summary_comment_id is None:
            state = self._recover(pr, state)
        current = {f.fingerprint for f in result.findings}
        resolved = tuple(sorted(desc for fp, desc in state.posted.items() if fp not in current))
        fresh = [f for f in _ordered(result.findings) if f.fingerprint not in state.posted]
        engine_map = diffmap.from_engine(result.files)
        comments = [c for c in (_comment(f, engine_map) for f in fresh if f.rule not in summary_only) if c is not None]
        outside = tuple(f for f in fresh if f.rule in summary_only or diffmap.placement(f, engine_map) is None)
        inline, overflow = comments[: config.max_inline_comments], tuple(c.finding for c in
                                                                         comments[config.max_inline_comments:])
        review_id: int | None = None
        posted_inline = 0
        rejected: tuple[Finding, ...] = ()
        if fresh:
            review_id, posted_inline, rejected = self._review(pr, config, inline, overflow + outside, state)
            posted = {**state.posted, **{f.fingerprint: _describe(f) for f in fresh}}
            state = replace(state, posted=posted, pending_review=None, pending_since=None)
            self._save(state)
        body = _summary(result, resolved, rejected + outside + overflow, state.posted)
        if note:  # kept whole: the summary is cut to leave room for it
            tail = "\n" + note + "\n"
            body = cut_bytes(body, MAX_COMMENT_BYTES - len(tail.encode())) + tail
        state = self._upsert_summary(pr, state, body)
        conclusion = _conclusion(result, config)
        if check_run:
            state = self._complete_check(pr, state, result, conclusion)
        self._tidy(pr, config, result, {fp for fp in state.posted if fp not in current})
        return Outcome(state, review_id, posted_inline, overflow, rejected, resolved, conclusion)

    def _tidy(self, pr: PullRequest, config: Config, result: ScanResult, fixed: set[str]) -> None:
        """Dismiss slopguard's change requests when nothing blocks; resolve the threads of fixed findings.
        A token without the permission (the Action's on a fork) leaves them as they are, with a warning."""
        tidy = Tidy(self.api)
        try:
            if config.review_event == "REQUEST_CHANGES" and not blocking(result.findings, config):
                tidy.dismiss_change_requests(pr)
            tidy.resolve_fixed_threads(pr, fixed)
        except GitHubError as exc:
            if exc.status != 403:
                raise
            log.warning("could not tidy slopguard's reviews on %s#%d: %s", pr.full_name, pr.number, exc.message)

    def reply(self, pr: PullRequest, text: str) -> None:
        self.api.post(f"repos/{pr.full_name}/issues/{pr.number}/comments", {"body": text})

    # ------------------------------------------------------------------ review

    def _review(self, pr: PullRequest, config: Config, inline: Sequence[_Comment], listed: Sequence[Finding],
                state: ReviewState) -> tuple[int | None, int, tuple[Finding, ...]]:
        """Post the review; on 422 retry with the comments GitHub's diff allows, then with none."""
        rejected: list[Finding] = []
        attempts: list[Sequence[_Comment]] = [inline]
        marker = review_marker(pr.head_sha, [c.finding for c in inline] + list(listed))
        for attempt in range(3):
            comments = attempts[-1]
            payload = {
                "commit_id": pr.head_sha,
                # Changes are requested only for a blocking finding (else the review is dismissed at once).
                "event": config.review_event if config.review_event != "REQUEST_CHANGES" or blocking(
                    [c.finding for c in comments] + list(listed), config) else "COMMENT",
                "body": _review_body(len(comments), listed, rejected) + "\n\n" + marker,
                "comments": [c.body for c in comments],
            }
            try:
                review = self._post_review(pr, payload, marker, state)
            except GitHubError as exc:
                if exc.status != 422 or not comments:
                    raise
                if attempt == 0:
                    allowed = diffmap.from_patches(self.api.paginate(f"repos/{pr.full_name}/pulls/{pr.number}/files"))
                    keep = [c for c in comments if _fits(c, allowed)]
                    if len(keep) == len(comments):
                        keep = []
                else:
                    keep = []
                rejected += [c.finding for c in comments if c not in keep]
                attempts.append(keep)
                continue
            return int(review["id"]), len(comments), tuple(rejected)
        raise GitHubError(422, "review rejected even without inline comments", "POST", "reviews")

    def _post_review(self, pr: PullRequest, payload: dict[str, Any], marker: str, state: ReviewState) -> Any:
        """POST the review at most once: look for it first whenever an earlier POST may have landed.

        GitHub sometimes creates the review and still answers 502, an answer can be lost, a worker can
        die while its POST is in flight, and a POST can be answered after the client gave up. The
        review body carries `marker` (head sha + the findings it reports) and the marker is saved as
        pending before each POST, so an earlier attempt, this process's or a dead worker's, is
        recognised among the PR's reviews. A POST whose answer never came may still be running at
        GitHub: the search waits until `settle_s` after that POST started.
        """
        if state.pending_review == marker:
            existing = self._settled_find(pr, marker, state.pending_since)
            if existing is not None:
                return existing
        attempts = max(1, self.api.client.policy.attempts)
        for attempt in range(attempts):
            if attempt:
                self.api.client.pause(attempt - 1)
            started = self._clock()
            self._save(replace(state, pending_review=marker, pending_since=started))
            try:
                return self.api.post(f"repos/{pr.full_name}/pulls/{pr.number}/reviews", payload,
                                     retry_server_errors=False)
            except GitHubError as exc:
                if exc.status not in RETRY_STATUSES and exc.status != 0:
                    raise
                # A 5xx is GitHub's final answer; a lost answer (status 0) may still be in flight.
                existing = self._settled_find(pr, marker, started if exc.status == 0 else None)
                if existing is not None:
                    return existing
                if attempt == attempts - 1:
                    raise
        raise AssertionError("unreachable")

    def _settled_find(self, pr: PullRequest, marker: str, since: float | None) -> dict[str, Any] | None:
        """The review carrying `marker`, searched once a POST started at `since` must have landed."""
        existing = self._find_review(pr, marker)
        if existing is None and since is not None:
            wait = since + self.settle_s - self._clock()
            if wait > 0:
                self.api.client.sleep(wait)
                existing = self._find_review(pr, marker)
        return existing

    def _find_review(self, pr: PullRequest, marker: str) -> dict[str, Any] | None:
        for review in self.api.paginate(f"repos/{pr.full_name}/pulls/{pr.number}/reviews"):
            if review.get("commit_id") == pr.head_sha and marker in str(review.get("body") or ""):
                return dict(review)
        return None

    # ------------------------------------------------------------------ summary comment

    def _recover(self, pr: PullRequest, state: ReviewState) -> ReviewState:
        """Find an earlier summary and posted fingerprints on GitHub when the store has none."""
        summary_id, summary_body = None, ""
        for comment in self.api.paginate(f"repos/{pr.full_name}/issues/{pr.number}/comments"):
            if MARKER in str(comment.get("body") or "") and _is_bot(comment):
                summary_id, summary_body = int(comment["id"]), str(comment.get("body") or "")
                break
        if summary_id is None:
            return state
        # what was posted: the record in the summary (every finding, inline or listed) and the inline tags
        posted = {**posted_record.decode(summary_body), **state.posted}
        for comment in self.api.paginate(f"repos/{pr.full_name}/pulls/{pr.number}/comments"):
            body = str(comment.get("body") or "")
            fp = fingerprint_of(body)
            if fp is not None:
                posted.setdefault(fp, f"`{comment.get('path')}:{comment.get('line')}`")
        return replace(state, summary_comment_id=summary_id, posted=posted)

    def _upsert_summary(self, pr: PullRequest, state: ReviewState, body: str) -> ReviewState:
        if state.summary_comment_id is not None:
            try:
                self.api.patch(f"repos/{pr.full_name}/issues/comments/{state.summary_comment_id}", {"body": body})
                return state
            except GitHubError as exc:
                if exc.status != 404:  # deleted by someone: create it again
                    raise
        created = self.api.post(f"repos/{pr.full_name}/issues/{pr.number}/comments", {"body": body})
        return replace(state, summary_comment_id=int(created["id"]))

    # ------------------------------------------------------------------ check run completion

    def _complete_check(self, pr: PullRequest, state: ReviewState, result: ScanResult,
                        conclusion: str) -> ReviewState:
        if pr.head_sha not in state.check_runs:
            state = self.start_check(pr, state)
        annotations = [_annotation(f) for f in _ordered(result.findings) if f.side == "RIGHT"]
        title = f"{len(result.findings)} findings · risk {result.risk.score}/100 ({result.risk.level})"
        self.checks.report(pr, state.check_runs[pr.head_sha], title, markdown.render(result), conclusion,
                           annotations)
        return state


# ---------------------------------------------------------------------- rendering helpers


def review_marker(head_sha: str, findings: Iterable[Finding]) -> str:
    """A hidden tag naming one review: the head commit and the fingerprints it reports."""
    digest = hashlib.sha256("\n".join([head_sha, *sorted(f.fingerprint for f in findings)]).encode()).hexdigest()
    return f"{REVIEW_TAG}{head_sha[:12]}-{digest[:16]} -->"


def _ordered(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (-f.severity.rank, f.path, f.line, f.rule))


def _comment(finding: Finding, dmap: diffmap.DiffMap) -> _Comment | None:
    place = diffmap.placement(finding, dmap)
    if place is None:
        return None
    start, line = place
    fix = finding.fix
    lines = dmap.get(finding.path)
    suggest = (fix is not None and finding.side == "RIGHT" and lines is not None
               and all(n in lines.right for n in range(fix.start_line, fix.end_line + 1)))
    if suggest and fix is not None:  # a suggestion replaces exactly the lines its comment spans
        start, line = fix.start_line, fix.end_line
    body: dict[str, Any] = {"path": finding.path, "line": line, "side": finding.side,
                            "body": _comment_body(finding, suggestion=suggest)}
    if start != line:
        body.update(start_line=start, start_side=finding.side)
    return _Comment(finding, body)


def _fits(comment: _Comment, allowed: diffmap.DiffMap) -> bool:
    body = comment.body
    lines = allowed.get(str(body["path"]))
    if lines is None:
        return False
    side = lines.side(str(body["side"]))
    return all(n in side for n in range(int(body.get("start_line", body["line"])), int(body["line"]) + 1))


def _comment_body(f: Finding, *, suggestion: bool = False) -> str:
    text = f"{_ICON[f.severity]} **{f.category}** ({f.severity.value}) · `{f.rule}`\n\n{f.message}\n\n"
    if suggestion and f.fix is not None:
        text += suggestion_block(f.fix) + "\n\n"
    uri = page_uri(f.rule)
    if uri:
        text += f"[About `{f.rule}`]({uri})\n\n"
    return text + f"{FP_TAG}{f.fingerprint} -->"


def suggestion_block(fix: Fix) -> str:
    """A GitHub ```suggestion block: accepting it replaces the commented lines with its lines."""
    fence = "```"
    while any(fence in line for line in fix.replacement):
        fence += "`"
    return "\n".join([f"{fix.description}:", f"{fence}suggestion", *fix.replacement, fence])


def _describe(f: Finding) -> str:
    message = " ".join(f.message.split())[:160]
    return f"`{f.path}:{f.line}` {f.category}: {message}"


def _review_body(inline: int, listed: Sequence[Finding], rejected: Sequence[Finding]) -> str:
    total = inline + len(listed) + len(rejected)
    out = [f"slopguard: {total} new finding(s); the summary comment has the full report."]
    rows = list(listed) + list(rejected)
    if rows:
        out += ["", "Not placed as inline comments (outside the diff or over the limit):", ""]
        out += [f"- {_ICON[f.severity]} {_describe(f)} (`{f.rule}`)" for f in rows[:100]]
        if len(rows) > 100:
            out.append(f"- … and {len(rows) - 100} more")
    return cut_bytes("\n".join(out), MAX_COMMENT_BYTES)


def _summary(result: ScanResult, resolved: Sequence[str], not_inline: Sequence[Finding],
             posted: Mapping[str, str]) -> str:
    out = [posted_record.encode(posted), markdown.render(result).rstrip("\n")]
    if not_inline:
        out += ["", "<details><summary>Not placed as inline comments</summary>", ""]
        out += [f"- {_ICON[f.severity]} {_describe(f)} (`{f.rule}`)" for f in not_inline[:100]]
        out += ["", "</details>"]
    if resolved:
        out += ["", f"**Resolved since the last review ({len(resolved)}):**", ""]
        out += [f"- ✅ {desc}" for desc in resolved[:100]]
    return cut_bytes("\n".join(out) + "\n", MAX_COMMENT_BYTES)


def _annotation(f: Finding) -> dict[str, Any]:
    return {"path": f.path, "start_line": f.line, "end_line": f.last_line, "annotation_level": _LEVEL[f.severity],
            "title": f"{f.category}: {f.rule}", "message": f.message[:64000]}


def _conclusion(result: ScanResult, config: Config) -> str:
    threshold = config.fail_check_on
    if threshold is None:
        return "neutral" if result.findings else "success"
    failing = any(f.severity.rank >= threshold.rank for f in result.findings)
    return "failure" if failing else "success"


def _is_bot(comment: Mapping[str, Any]) -> bool:
    user = comment.get("user") or {}
    return str(user.get("type", "Bot")) == "Bot"

