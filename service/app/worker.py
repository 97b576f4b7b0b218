"""The worker: claims a pull request's pending review, fetches, scans and publishes.

One job = one pull request: it reviews the PR's newest head as GitHub reports it when the job runs,
so requests that piled up while it waited are answered by this one review. A result that became
stale during the scan (a newer push arrived) is not published; the newer job publishes instead.
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
from dataclasses import dataclass

from ..blobcache import BlobCache
from ..config import Config, parse_config
from ..engine import CONFIG_FILE, Target, repo_config, scan
from ..errors import ConfigError
from ..gitrepo import Git
from ..llm import llm_pass
from ..models import ScanResult
from ..registry import Registry
from ..registry import load as load_registry
from . import clones, commands, logs
from .errors import GitHubError
from .github_client import GitHubClient, Installation
from .metrics import Metrics
from .publisher import Publisher, PullRequest, ReviewState
from .queue import Command
from .settings import Settings
from .store import Job, JobKey, Store

log = logging.getLogger("slopguard.worker")
MAX_ATTEMPTS = 5
Enqueue = Callable[[JobKey], None]


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
        try:
            if job.attempts > MAX_ATTEMPTS:
                self.store.record_scan(key, "", "", "failed", detail=f"gave up after {MAX_ATTEMPTS} attempts")
            else:
                self._review(job)
            done = True
            self.metrics.jobs.labels(state="finished").inc()
        except Exception as exc:  # the job boundary (re-raised): record, release the lease, retry later
            self.metrics.jobs.labels(state="failed").inc()
            log.warning("review of %s#%s failed: %s: %s", repo, number, type(exc).__name__, exc)
            self.store.record_scan(key, "", "", "failed", detail=f"{type(exc).__name__}: {exc}")
            raise
        finally:
            stop.set()
            beat.join(timeout=5)
            self.metrics.jobs_running.dec()
            more = self.store.finish(key, self.owner, job.generation, done=done)
            if more and done:
                self.enqueue(key)

    def _heartbeat(self, key: JobKey, stop: threading.Event) -> None:
        interval = max(0.2, self.settings.job_lease_s / 3)
        while not stop.wait(interval):
            self.store.renew(key, self.owner, self.settings.job_lease_s)

    def _review(self, job: Job) -> None:
        api = self.github.installation(job.installation_id)
        info = self._pull(api, job.key)
        if not info.open:
            self.store.record_scan(job.key, info.pr.head_sha, "", "skipped", detail="pull request is closed")
            log.info("skipped: the pull request is closed")
            return
        forced = job.reason.startswith("command")
        if self.store.is_paused(job.key.repo, job.key.number) and not forced:
            self.store.record_scan(job.key, info.pr.head_sha, "", "skipped", detail="paused")
            log.info("skipped: paused")
            return
        token = api.client.installation_token(api.id)
        path = clones.fetch(self.settings.workdir, job.key.repo, job.clone_url, job.key.number, info.base_ref, token)
        git = Git(path)
        head = git.resolve(info.pr.head_sha)
        base = git.merge_base(git.resolve(f"refs/remotes/origin/{info.base_ref}"), head)
        publisher = Publisher(api)
        state = self.store.review_state(job.key.repo, job.key.number)
        try:
            config, registry = self._config(api, git, base, info.pr.owner)
        except ConfigError as exc:
            state = publisher.start_check(info.pr, state)
            publisher.fail_check(info.pr, state, f"The repository's configuration is invalid: {exc}")
            self.store.save_review_state(job.key.repo, job.key.number, state)
            self.store.record_scan(job.key, head, base, "config-error", detail=str(exc))
            log.warning("configuration error: %s", exc)
            return
        if info.draft and not config.review_drafts and not forced:
            self.store.record_scan(job.key, head, base, "skipped", detail="draft")
            log.info("skipped: draft")
            return
        state = publisher.start_check(info.pr, state)
        self.store.save_review_state(job.key.repo, job.key.number, state)
        started = time.perf_counter()
        result = scan(Target(path, base, head, intent=f"{info.title}\n\n{info.body}".strip()), config,
                      registry=registry, second_pass=llm_pass, cache=BlobCache(self.settings.workdir / "index"))
        self.metrics.scan_seconds.observe(time.perf_counter() - started)
        for finding in result.findings:
            self.metrics.findings.labels(category=finding.category).inc()
        if self.store.generation(job.key) > job.generation:
            publisher.cancel_check(info.pr, state, "A newer commit was pushed; it is reviewed instead.")
            self.store.record_scan(job.key, head, base, "superseded", findings=len(result.findings))
            return
        self._publish(job, info, publisher, result, config, state)

    def _config(self, api: Installation, git: Git, base: str, owner: str) -> tuple[Config, Registry]:
        """The base commit's `.slopguard.yml`; without one, the organisation's default; else the defaults."""
        config, registry = repo_config(git, base, self.registry)
        if CONFIG_FILE in git.ls_tree(base):
            return config, registry
        text = self._org_config(api, owner)
        if text is None:
            return config, registry
        return parse_config(text, f"{owner}/.github:{CONFIG_FILE}", registry.rules.values()), registry

    def _org_config(self, api: Installation, owner: str) -> str | None:
        """`.slopguard.yml` of the owner's `.github` repository (default branch), or None when absent.

        GitHub answers 404 when the file or the repository does not exist, and also when the App's
        installation does not include that repository.
        """
        try:
            data = api.get(f"repos/{owner}/.github/contents/.slopguard.yml")
        except GitHubError as exc:
            if exc.status in (403, 404):
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

    def _publish(self, job: Job, info: PullInfo, publisher: Publisher, result: ScanResult, config: Config,
                 state: ReviewState) -> None:
        started = time.perf_counter()
        outcome = publisher.publish(info.pr, result, config, state)
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
        api = self.github.installation(cmd.installation_id)
        owner, name = cmd.repo.split("/", 1)
        pr = PullRequest(owner, name, cmd.number, "")
        publisher = Publisher(api)
        if not commands.can_write(api, cmd.repo, cmd.user):
            publisher.reply(pr, f"@{cmd.user} " + commands.NOT_ALLOWED.format(command=cmd.command))
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
            self.store.request_review(key, cmd.installation_id, cmd.clone_url, f"command:{cmd.command}")
            self.enqueue(key)
        else:
            publisher.reply(pr, commands.UNKNOWN.format(command=cmd.command))

