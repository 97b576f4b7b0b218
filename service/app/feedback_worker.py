"""The worker's side of the feedback loop: acting on feedback jobs, and calibrating a review.

Jobs (see feedback_events.py): a `/slopguard wrong|ignore` reply is recorded when its author wrote the
pull request or has write access, and answered with a reaction on the reply (👍 taken, 😕 not
counted); a resolved thread is recorded as dismissed (lines unchanged) or acted on (lines changed);
on close, the 👍/👎 on slopguard's comments are read; `/slopguard restore RULE` from someone with
write access lifts a demotion (anyone else's gets a 😕 on their comment).
Before each review is published, the reactions are read again, findings that disappeared since they
were posted count as acted on, and the repository's calibration decides which rules go to the
summary only (feedback_calibration.py).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from typing import Any

from ..config import Config
from ..models import ScanResult
from ..registry import Registry
from . import commands, feedback_calibration, logs
from .errors import GitHubError
from .feedback import CommentFinding, finding_of
from .feedback_store import FeedbackStore, Signal
from .github_client import GitHubClient, Installation, Scope
from .store import JobKey, Store

log = logging.getLogger("slopguard.feedback")
TAKEN, NOT_COUNTED = "+1", "confused"
# A feedback job's token: the one repository; review comments, reactions and replies.
FEEDBACK_PERMISSIONS = {"issues": "write", "metadata": "read", "pull_requests": "write"}


class FeedbackLoop:
    def __init__(self, store: Store, github: GitHubClient, registry: Callable[[], Registry]) -> None:
        self.store = FeedbackStore(store)
        self.github = github
        self.registry = registry

    # ------------------------------------------------------------------ jobs

    def handle(self, job: dict[str, Any]) -> None:
        handlers = {"reply": self._reply, "thread": self._thread, "closed": self._closed, "restore": self._restore}
        with logs.context(delivery=str(job.get("delivery", "")), repository=job["repo"], pr=job["number"]):
            log.info("feedback: %s from %s", job["kind"], job.get("user", ""))
            scope = Scope.of([str(job["repo"]).split("/", 1)[1]], FEEDBACK_PERMISSIONS)
            handlers[job["kind"]](self.github.installation(int(job["installation_id"]), scope), job)

    def _reply(self, api: Installation, job: dict[str, Any]) -> None:
        repo = job["repo"]
        try:
            parent = api.get(f"repos/{repo}/pulls/comments/{job['parent_id']}")
        except GitHubError as exc:
            if exc.status == 404:  # the comment replied to is gone
                return
            raise
        found = finding_of(parent) if isinstance(parent, dict) else None
        if found is None:
            return  # a reply in someone else's thread
        allowed = self._may_judge(api, repo, job["user"], job["author"])
        if allowed:
            self.store.record(Signal(repo, int(job["number"]), found.rule, found.fingerprint, found.comment_id,
                                     job["verdict"], job["user"], job["reason"]))
        api.post(f"repos/{repo}/pulls/comments/{job['comment_id']}/reactions",
                 {"content": TAKEN if allowed else NOT_COUNTED})

    def _thread(self, api: Installation, job: dict[str, Any]) -> None:
        signal = Signal(job["repo"], int(job["number"]), job["rule"], job["fingerprint"], int(job["comment_id"]),
                        "acted_on" if job["outdated"] else "resolved", job["user"])
        if job["action"] == "resolved":
            self.store.record(signal)
        else:
            self.store.forget(signal)

    def _closed(self, api: Installation, job: dict[str, Any]) -> None:
        self.read_reactions(api, job["repo"], int(job["number"]))

    def _restore(self, api: Installation, job: dict[str, Any]) -> None:
        repo, user, rule = job["repo"], job["user"], job["rule"]
        path = f"repos/{repo}/issues/{job['number']}/comments"
        if not commands.can_write(api, repo, user):
            # A 😕 on the comment, not a reply: a stream of such comments makes no stream of replies.
            if job.get("comment_id"):
                api.post(f"repos/{repo}/issues/comments/{job['comment_id']}/reactions", {"content": NOT_COUNTED})
            log.info("restore refused: %s has no write access", user)
            return
        if rule not in self.registry().rules:
            api.post(path, {"body": f"@{user} That is not a rule id slopguard knows (`slopguard rules` lists them)."})
            return
        row = self.store.calibration(repo).get(rule)
        if row is None or row["state"] != "demoted":
            api.post(path, {"body": f"`{rule}` is not demoted in this repository: nothing to restore."})
            return
        self.store.set_calibration(repo, rule, "restored", by=user)
        api.post(path, {"body": f"`{rule}` is restored: its findings get inline comments again in this "
                                "repository, and only feedback given from now on counts towards demoting it."})

    # ------------------------------------------------------------------ reviews

    def before_publish(self, api: Installation, key: JobKey, result: ScanResult, config: Config,
                       registry: Registry) -> feedback_calibration.Calibration:
        """Read the PR's feedback, record the review's statistics, and calibrate the repository."""
        try:
            found = self.read_reactions(api, key.repo, key.number)
        except GitHubError as exc:  # the review matters more than this round of reactions: read them next time
            log.warning("feedback: reactions not read (%s); the review goes on", exc)
            found = []
        current = {f.fingerprint for f in result.findings}
        for f in found:
            if f.fingerprint not in current:
                self.store.record(Signal(key.repo, key.number, f.rule, f.fingerprint, f.comment_id, "acted_on"))
        self.store.record_review(key.repo, key.number, result.head, result.stats.added_lines,
                                 result.stats.removed_lines, dict(Counter(f.category for f in result.findings)))
        return self.calibrate(key.repo, config, registry)

    def calibrate(self, repo: str, config: Config, registry: Registry) -> feedback_calibration.Calibration:
        if config.demote_after <= 0:
            return feedback_calibration.Calibration()
        rows = self.store.calibration(repo)
        restored = {rule: float(row["changed_at"]) for rule, row in rows.items() if row["state"] == "restored"}
        demoted: dict[str, dict[str, Any]] = {}
        for rule, stats in feedback_calibration.rule_stats(self.store.signals(repo), restored).items():
            if feedback_calibration.exempt(rule, config, registry):
                continue
            row = rows.get(rule)
            if row is not None and row["state"] == "demoted":
                demoted[rule] = row
            elif feedback_calibration.should_demote(stats, config):
                self.store.set_calibration(repo, rule, "demoted", marks=stats.recent_marked,
                                           wrong=stats.recent_wrong, by="slopguard")
                demoted[rule] = {"marks": stats.recent_marked, "wrong": stats.recent_wrong}
                log.info("demoted %s to the summary (%d of %d marked wrong)", rule, stats.recent_wrong,
                         stats.recent_marked)
        return feedback_calibration.Calibration(frozenset(demoted), feedback_calibration.note(demoted))

    def read_reactions(self, api: Installation, repo: str, number: int) -> list[CommentFinding]:
        """Record the 👍/👎 on slopguard's inline comments of a pull request as they are now."""
        author = str((api.get(f"repos/{repo}/pulls/{number}").get("user") or {}).get("login", ""))
        found = [f for f in (finding_of(c) for c in api.paginate(f"repos/{repo}/pulls/{number}/comments")) if f]
        judges: dict[str, bool] = {}
        for f in found:
            ups: list[str] = []
            downs: list[str] = []
            if f.ups or f.downs:  # the comment's reaction rollup: only then ask who reacted
                for reaction in api.paginate(f"repos/{repo}/pulls/comments/{f.comment_id}/reactions"):
                    user = reaction.get("user") or {}
                    login = str(user.get("login", ""))
                    if reaction.get("content") not in ("+1", "-1") or user.get("type") == "Bot":
                        continue
                    if login not in judges:
                        judges[login] = self._may_judge(api, repo, login, author)
                    if judges[login]:
                        (ups if reaction["content"] == "+1" else downs).append(login)
            self.store.replace_reactions(Signal(repo, number, f.rule, f.fingerprint, f.comment_id, "thumbs_up"),
                                         ups, downs)
        return found

    @staticmethod
    def _may_judge(api: Installation, repo: str, user: str, author: str) -> bool:
        """Feedback counts from the pull request's author and from people with write access."""
        return bool(user) and (user == author or commands.can_write(api, repo, user))
