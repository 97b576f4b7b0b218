"""The worker: claims a pull request's pending review, fetches, scans and publishes.

One job = one pull request: it reviews the PR's newest head as GitHub reports it when the job runs,
so requests that piled up while it waited are answered by this one review. A result that became
stale during the scan (a newer push arrived) is not published; the newer job publishes instead.

The head's check run is opened once per job (reused by its retries, remembered in the job row) and
completed however the job ends: published, skipped, superseded, a configuration error, or given up
after MAX_ATTEMPTS failed attempts. A rate limit defers the job to its reset without counting an
attempt; a failed attempt is retried after an exponential backoff.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from ..blobcache import BlobCache
from ..bounds import Limits
from ..config import Config, parse_config
from ..engine import CONFIG_FILE, Target, repo_config, scan
from ..errors import ConfigError
from ..gitrepo import Git
from ..llm import llm_pass
from ..models import ScanResult
from ..registry import Registry
from ..registry import load as load_registry
from ..rulesets import MAX_RULESET_BYTES
from . import clones, commands, logs
from .errors import GitHubError, RateLimitError
from .feedback_calibration import Calibration
from .feedback_worker import FeedbackLoop
from .github_client import GitHubClient, Installation, Scope
from .metrics import Metrics
from .publisher import Publisher, PullRequest, ReviewState
from .queue import Command
from .settings import Settings
from .store import Job, JobKey, Store

log = logging.getLogger("slopguard.worker")
MAX_ATTEMPTS = 5
MAX_RETRY_DELAY_S = 600.0
Enqueue = Callable[[JobKey, float], None]  # (job, delay in seconds)
FORCED = ("command", "rerequested")  # reasons that review even a paused PR or a draft
# Installation tokens are narrowed to the one repository and what the job does with it.
REVIEW_PERMISSIONS = {"checks": "write", "contents": "read", "issues": "write", "metadata": "read",
                      "pull_requests": "write"}
COMMAND_PERMISSIONS = {"issues": "write", "metadata": "read", "pull_requests": "write"}
ORG_CONFIG_SCOPE = Scope.of([".github"], {"contents": "read"})


@dataclass
class Attempt:
    """What one attempt at a job opened on GitHub: the check run to complete however it ends."""

    job: Job
    api: Installation | None = None
    pr: PullRequest | None = None
    check_run_id: int | None = None
    ended: bool = False
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PullInfo:
    pr: PullRequest
    base_ref: str
    title: str
    body: str
    draft: bool
    open: bool


class Worker:
    def __init__(self, settings: Settings, store: Store, github: GitHubClient, metrics: Metrics,
                 enqueue: Enqueue) -> None:
        self.settings = settings
        self.store = store
        self.github = github
        self.metrics = metrics
        self.enqueue = enqueue
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._registry: Registry | None = None
        self._registry_lock = threading.Lock()
        self.replies = commands.ReplyLimiter()  # answers to people without write access, per user and PR
        self.feedback = FeedbackLoop(store, github, lambda: self.registry, settings.workdir)

    @property
    def registry(self) -> Registry:
        with self._registry_lock:
            if self._registry is None:
                self._registry = load_registry()
            return self._registry

    # ------------------------------------------------------------------ review jobs

    def review(self, repo: str, number: int) -> None:
        """The review task: claim, do the work, acknowledge (finish) only afterwards."""
        key = JobKey(repo, number)
        with logs.context(repository=repo, pr=number):
            job = self.store.claim(key, self.owner, self.settings.job_lease_s)
            if job is None:
                log.debug("nothing to do: reviewed already (coalesced) or leased by another worker")
                return
            with logs.context(delivery=job.delivery):
                log.info("review started (%s, generation %d, attempt %d)", job.reason, job.generation, job.attempts)
                self._run(key, job)

    def _run(self, key: JobKey, job: Job) -> None:
        repo, number = key.repo, key.number
        self.metrics.jobs.labels(state="started").inc()
        self.metrics.jobs_running.inc()
        stop = threading.Event()
        beat = threading.Thread(target=self._heartbeat, args=(key, stop), daemon=True)
        beat.start()
        done = False
        attempt = Attempt(job)
        try:
            if job.attempts > MAX_ATTEMPTS:  # its last attempt's worker died: nothing more to try
                self._give_up(attempt, f"slopguard gave up after {MAX_ATTEMPTS} attempts")
            else:
                self._review(attempt)
            done = True
            self.metrics.jobs.labels(state="finished").inc()
        except RateLimitError as exc:  # not a failure: wait for the reset, then try again
            self.metrics.jobs.labels(state="deferred").inc()
            delay = max(0.0, exc.until - self.github.now())
            log.info("rate limited (%s): review of %s#%s deferred %.0fs", exc.kind, repo, number, delay)
            self.store.defer(key, self.owner, exc.until)
            self.enqueue(key, delay)
        except Exception as exc:  # noqa: BLE001 - the job boundary: recorded, then retried later or given up
            self.metrics.jobs.labels(state="failed").inc()
            reason = f"{type(exc).__name__}: {exc}"
            log.warning("review of %s#%s failed (attempt %d): %s", repo, number, job.attempts, reason)
            self.store.record_scan(key, "", "", "failed", detail=reason)
            if job.attempts >= MAX_ATTEMPTS:
                self._give_up(attempt, f"slopguard gave up after {job.attempts} attempts; last error: {reason}")
                done = True
            else:
                delay = min(MAX_RETRY_DELAY_S, 60.0 * self.settings.retry_backoff_s * 2 ** (job.attempts - 1))
                self.store.defer(key, self.owner, self.github.now() + delay, counted=True)
                self.enqueue(key, delay)
        finally:
            stop.set()
            beat.join(timeout=5)
            self.metrics.jobs_running.dec()
            more = self.store.finish(key, self.owner, job.generation, done=done)
            if more and done:
                self.enqueue(key, 0.0)

    def _give_up(self, attempt: Attempt, reason: str) -> None:
        """Record the give-up and complete the check run the job left open."""
        job = attempt.job
        self.store.record_scan(job.key, job.head_sha, "", "failed", detail=reason)
        log.error("review of %s#%s: %s", job.key.repo, job.key.number, reason)
        self._end_check(attempt, "failure", "slopguard could not review this change", reason)

    def _end_check(self, attempt: Attempt, conclusion: str, title: str, reason: str) -> None:
        """Complete the check run this job opened (in this attempt or an earlier one), if any."""
        job = attempt.job
        if attempt.ended:
            return
        pr, run_id = attempt.pr, attempt.check_run_id
        if run_id is None and job.check_run_id is not None:
            owner, name = job.key.repo.split("/", 1)
            pr, run_id = PullRequest(owner, name, job.key.number, job.head_sha), job.check_run_id
        if pr is None or run_id is None:
            return
        api = attempt.api or self._api(job.installation_id, job.key.repo, REVIEW_PERMISSIONS, job.repository_id)
        Publisher(api).complete_check(pr, run_id, conclusion, title, reason)
        attempt.ended = True
        self.store.set_job_check(job.key, self.owner, None, None)

    def _heartbeat(self, key: JobKey, stop: threading.Event) -> None:
        interval = max(0.2, self.settings.job_lease_s / 3)
        while not stop.wait(interval):
            self.store.renew(key, self.owner, self.settings.job_lease_s)

    def _review(self, attempt: Attempt) -> None:
        job = attempt.job
        deadline = time.monotonic() + self.settings.job_deadline_s  # fetching counts; publishing does not
        api = attempt.api = self._api(job.installation_id, job.key.repo, REVIEW_PERMISSIONS, job.repository_id)
        info = self._pull(api, job.key)
        if job.check_run_id is not None and job.head_sha == info.pr.head_sha:
            attempt.pr, attempt.check_run_id = info.pr, job.check_run_id  # opened by an earlier attempt
        forced = job.reason.startswith(FORCED)
        skip = ("the pull request is closed" if not info.open else
                "paused" if self.store.is_paused(job.key.repo, job.key.number) and not forced else "")
        if skip:
            if not info.open:
                clones.forget(self.settings.workdir, job.key.repo, job.key.number)
            self.store.record_scan(job.key, info.pr.head_sha, "", "skipped", detail=skip)
            self._end_check(attempt, "skipped", "Skipped", f"Not reviewed: {skip}.")
            log.info("skipped: %s", skip)
            return
        token = api.token()
        path = clones.fetch(self.settings.workdir, job.key.repo, job.clone_url, job.key.number, info.base_ref, token)
        git = Git(path)
        head = git.resolve(info.pr.head_sha)
        base = git.merge_base(git.resolve(f"refs/remotes/origin/{info.base_ref}"), head)
        publisher = Publisher(api, save=lambda s: self.store.save_review_state(job.key.repo, job.key.number, s),
                              settle_s=self.settings.review_settle_s, clock=self.github.now)
        state = self.store.review_state(job.key.repo, job.key.number)
        try:
            config, registry = self._config(api, git, base, info.pr.owner)
        except ConfigError as exc:
            state = self._open_check(attempt, publisher, info.pr, state)
            self._end_check(attempt, "failure", "slopguard could not review this change",
                            f"The repository's configuration is invalid: {exc}")
            self.store.record_scan(job.key, head, base, "config-error", detail=str(exc))
            log.warning("configuration error: %s", exc)
            return
        if info.draft and not config.review_drafts and not forced:
            self.store.record_scan(job.key, head, base, "skipped", detail="draft")
            self._end_check(attempt, "skipped", "Skipped", "Not reviewed: the pull request is a draft.")
            log.info("skipped: draft")
            return
        state = self._open_check(attempt, publisher, info.pr, state)
        started = time.perf_counter()
        result = scan(Target(path, base, head, intent=f"{info.title}\n\n{info.body}".strip()), config,
                      registry=registry, cache=BlobCache(self.settings.workdir / "index"),
                      second_pass=partial(llm_pass, scope=f"installation:{job.installation_id}", deadline=deadline),
                      limits=Limits(deadline=deadline))
        self.metrics.scan_seconds.observe(time.perf_counter() - started)
        for finding in result.findings:
            self.metrics.findings.labels(category=finding.category).inc()
        if self.store.generation(job.key) > job.generation:
            self._end_check(attempt, "skipped", "Superseded", "A newer commit was pushed; it is reviewed instead.")
            self.store.record_scan(job.key, head, base, "superseded", findings=len(result.findings))
            return
        calibration = self.feedback.before_publish(api, job.key, result, config, registry)
        self._publish(attempt, info, publisher, result, config, state, calibration)

    def _open_check(self, attempt: Attempt, publisher: Publisher, pr: PullRequest, state: ReviewState) -> ReviewState:
        """The head's check run: this job's from an earlier attempt, an open one of ours, or a new one."""
        state = publisher.start_check(pr, state, reuse=attempt.check_run_id)
        attempt.pr, attempt.check_run_id = pr, state.check_runs[pr.head_sha]
        self.store.set_job_check(attempt.job.key, self.owner, pr.head_sha, attempt.check_run_id)
        self.store.save_review_state(attempt.job.key.repo, attempt.job.key.number, state)
        return state

    def _api(self, installation_id: int, repo: str, permissions: dict[str, str],
             repository_id: int | None) -> Installation:
        """The installation, with tokens for this one repository (by id when known) and `permissions`."""
        scope = Scope.of([] if repository_id else [repo.split("/", 1)[1]], permissions,
                         [repository_id] if repository_id else [])
        return self.github.installation(installation_id, scope)

    def _config(self, api: Installation, git: Git, base: str, owner: str) -> tuple[Config, Registry]:
        """The base commit's `.slopguard.yml`; without one, the organisation's default; else the defaults."""
        config, registry = repo_config(git, base, self.registry)
        if CONFIG_FILE in git.ls_tree(base):
            return config, registry
        text = self._org_config(api, owner)
        if text is None:
            return config, registry
        return parse_config(text, f"{owner}/.github:{CONFIG_FILE}", registry.rules.values(),
                            read=git.reader(base, MAX_RULESET_BYTES)), registry

    def _org_config(self, api: Installation, owner: str) -> str | None:
        """`.slopguard.yml` of the owner's `.github` repository (default branch), or None when absent.

        GitHub answers 404 when the file or the repository does not exist, and refuses a token for
        a repository the App's installation does not include (422).
        """
        try:  # a token of its own: the organisation's `.github` repository only, read-only
            org = self.github.installation(api.id, ORG_CONFIG_SCOPE)
            data = org.get(f"repos/{owner}/.github/contents/.slopguard.yml")
        except GitHubError as exc:
            if exc.status in (403, 404, 422):  # 422: the installation does not include `.github`
                return None
            raise
        if not isinstance(data, dict) or data.get("type", "file") != "file":
            return None
        if data.get("encoding") != "base64":
            raise ConfigError(f"{owner}/.github:{CONFIG_FILE}: cannot read the file (encoding "
                              f"{data.get('encoding')!r}); keep it under 1 MB")
        try:
            return base64.b64decode(str(data.get("content", ""))).decode("utf-8", "replace")
        except (ValueError, binascii.Error):
            raise ConfigError(f"{owner}/.github:{CONFIG_FILE}: GitHub sent content that is not base64") from None

    def _publish(self, attempt: Attempt, info: PullInfo, publisher: Publisher, result: ScanResult, config: Config,
                 state: ReviewState, calibration: Calibration) -> None:
        job = attempt.job
        started = time.perf_counter()
        outcome = publisher.publish(info.pr, result, config, state, summary_only=calibration.summary_only,
                                    note=calibration.note)
        attempt.ended = True  # publish completed the check run
        self.store.set_job_check(job.key, self.owner, None, None)
        self.metrics.publish_seconds.observe(time.perf_counter() - started)
        self.store.save_review_state(job.key.repo, job.key.number, outcome.state)
        detail = f"review {outcome.review_id}, {outcome.inline} inline, {outcome.conclusion}"
        self.store.record_scan(job.key, result.head, result.base, "published", findings=len(result.findings),
                               risk=result.risk.score, duration_s=result.stats.duration_s,
                               llm_cost_usd=result.llm.cost_usd, detail=detail)
        log.info("published %s (head %s, %d findings, risk %d)", detail, result.head[:12], len(result.findings),
                 result.risk.score)

    def _pull(self, api: Installation, key: JobKey) -> PullInfo:
        data = api.get(f"repos/{key.repo}/pulls/{key.number}")
        owner, name = key.repo.split("/", 1)
        return PullInfo(
            pr=PullRequest(owner, name, key.number, str(data["head"]["sha"])),
            base_ref=str(data["base"]["ref"]),
            title=str(data.get("title") or ""),
            body=str(data.get("body") or ""),
            draft=bool(data.get("draft")),
            open=data.get("state", "open") == "open",
        )

    # ------------------------------------------------------------------ commands

    def command(self, cmd: Command) -> None:
        with logs.context(delivery=cmd.delivery, repository=cmd.repo, pr=cmd.number):
            log.info("command /slopguard %s from %s", cmd.command, cmd.user)
            self._command(cmd)

    def _command(self, cmd: Command) -> None:
        api = self._api(cmd.installation_id, cmd.repo, COMMAND_PERMISSIONS, cmd.repository_id)
        owner, name = cmd.repo.split("/", 1)
        pr = PullRequest(owner, name, cmd.number, "")
        publisher = Publisher(api)
        if not commands.can_write(api, cmd.repo, cmd.user):
            if self.replies.allow(cmd.repo, cmd.number, cmd.user):
                publisher.reply(pr, f"@{cmd.user} " + commands.NOT_ALLOWED)
            return
        key = JobKey(cmd.repo, cmd.number)
        if cmd.command == "help":
            publisher.reply(pr, commands.HELP)
        elif cmd.command == "pause":
            self.store.set_paused(cmd.repo, cmd.number, True)
            publisher.reply(pr, "slopguard is paused on this pull request; `/slopguard resume` turns it back on.")
        elif cmd.command in ("resume", "review"):
            if cmd.command == "resume":
                self.store.set_paused(cmd.repo, cmd.number, False)
            self.store.request_review(key, cmd.installation_id, cmd.clone_url, f"command:{cmd.command}",
                                      cmd.repository_id or None)
            self.enqueue(key, 0.0)
        elif self.replies.allow(cmd.repo, cmd.number, cmd.user):
            publisher.reply(pr, commands.UNKNOWN)

