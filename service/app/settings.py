"""The App's settings, parsed once from the environment into a frozen dataclass and passed down."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError
from .errors import SettingsError

DEFAULT_API_URL = "https://api.github.com"
MAX_BODY_BYTES = 25_000_000  # GitHub does not deliver an event whose payload is over 25 MB


@dataclass(frozen=True)
class Settings:
    app_id: str
    private_key: str = ""
    webhook_secret: str = ""
    api_url: str = DEFAULT_API_URL
    database_url: str = ""
    queue_url: str = ""
    queue_name: str = "slopguard"  # the queue's key prefix (one Redis can serve several Apps)
    workdir: Path = Path(".slopguard")
    llm_enabled: bool = False  # ANTHROPIC_API_KEY present; the key itself stays in the environment
    max_body_bytes: int = MAX_BODY_BYTES
    write_interval_s: float = 1.0  # pause between GitHub writes (secondary rate limits)
    max_retry_wait_s: float = 60.0  # longest rate-limit wait before giving up
    retry_backoff_s: float = 0.5  # first backoff after a 5xx; doubles on each retry
    github_timeout_s: float = 30.0  # one GitHub request's timeout
    review_settle_s: float = 15.0  # after a review POST began, when GitHub has surely finished it
    db_deadline_s: float = 2.0  # the webhook waits this long for the database, then journals the delivery
    reconcile_interval_s: float = 300.0  # how often failed deliveries are looked up on GitHub (0: never)
    coalesce_delay_s: float = 1.0  # jobs wait this long so quick pushes coalesce
    job_lease_s: float = 300.0  # a job whose worker vanished is retried after this long
    job_deadline_s: float = 900.0  # a review job ends by then with what it has, naming what it did not analyse
    workers: int = 2  # consumer threads in `serve` / `worker`
    # The dashboard's sign-in with GitHub (the App's OAuth client); off unless all three are set.
    oauth_client_id: str = ""
    oauth_client_secret: str = ""
    session_secret: str = ""
    public_url: str = ""  # where browsers reach the service (the OAuth callback); default: the request's host
    dashboard_cache_s: float = 180.0  # how long GitHub's answer on a user's access is reused

    @property
    def dashboard_enabled(self) -> bool:
        return bool(self.oauth_client_id and self.oauth_client_secret and self.session_secret)

    @property
    def redis_queue(self) -> bool:
        return self.queue_url.startswith(("redis://", "rediss://", "unix://"))

    @property
    def web_url(self) -> str:
        """Where pull requests live for links: github.com, or the GHES host."""
        if self.api_url.rstrip("/") == DEFAULT_API_URL:
            return "https://github.com"
        return self.api_url.rstrip("/").removesuffix("/api/v3")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *, require_app: bool = True) -> Settings:
        env = os.environ if env is None else env
        workdir = Path(env.get("SLOPGUARD_WORKDIR") or Path.cwd() / ".slopguard").resolve()
        app_id = env.get("SLOPGUARD_APP_ID", "")
        key = env.get("SLOPGUARD_PRIVATE_KEY", "")
        key_path = env.get("SLOPGUARD_PRIVATE_KEY_PATH", "")
        if not key and key_path:
            try:
                key = Path(key_path).read_text()
            except OSError as exc:
                raise SettingsError(f"SLOPGUARD_PRIVATE_KEY_PATH: cannot read {key_path}: {exc.strerror}") from None
        secret = env.get("SLOPGUARD_WEBHOOK_SECRET", "")
        if require_app:
            missing = [name for name, value in (("SLOPGUARD_APP_ID", app_id), ("SLOPGUARD_WEBHOOK_SECRET", secret),
                                                ("SLOPGUARD_PRIVATE_KEY or SLOPGUARD_PRIVATE_KEY_PATH", key))
                       if not value]
            if missing:
                raise SettingsError("missing environment: " + ", ".join(missing))
        _check_sign_in(env)
        return cls(
            app_id=app_id,
            private_key=key,
            webhook_secret=secret,
            api_url=(env.get("SLOPGUARD_GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/"),
            database_url=env.get("SLOPGUARD_DATABASE_URL") or f"sqlite:///{workdir / 'slopguard.db'}",
            queue_url=env.get("SLOPGUARD_QUEUE_URL") or str(workdir / "queue.db"),
            queue_name=env.get("SLOPGUARD_QUEUE_NAME") or "slopguard",
            workdir=workdir,
            llm_enabled=bool(env.get("ANTHROPIC_API_KEY")),
            write_interval_s=_float(env, "SLOPGUARD_WRITE_INTERVAL_S", 1.0),
            max_retry_wait_s=_float(env, "SLOPGUARD_MAX_RETRY_WAIT_S", 60.0),
            retry_backoff_s=_float(env, "SLOPGUARD_RETRY_BACKOFF_S", 0.5),
            github_timeout_s=_float(env, "SLOPGUARD_GITHUB_TIMEOUT_S", 30.0),
            review_settle_s=_float(env, "SLOPGUARD_REVIEW_SETTLE_S", 15.0),
            db_deadline_s=_float(env, "SLOPGUARD_DB_DEADLINE_S", 2.0),
            reconcile_interval_s=_float(env, "SLOPGUARD_RECONCILE_INTERVAL_S", 300.0),
            coalesce_delay_s=_float(env, "SLOPGUARD_COALESCE_DELAY_S", 1.0),
            job_lease_s=_float(env, "SLOPGUARD_JOB_LEASE_S", 300.0),
            job_deadline_s=_float(env, "SLOPGUARD_JOB_DEADLINE_S", 900.0),
            workers=int(_float(env, "SLOPGUARD_WORKERS", 2)),
            oauth_client_id=env.get("SLOPGUARD_OAUTH_CLIENT_ID", ""),
            oauth_client_secret=env.get("SLOPGUARD_OAUTH_CLIENT_SECRET", ""),
            session_secret=env.get("SLOPGUARD_SESSION_SECRET", ""),
            public_url=env.get("SLOPGUARD_PUBLIC_URL", "").rstrip("/"),
            dashboard_cache_s=_float(env, "SLOPGUARD_DASHBOARD_CACHE_S", 180.0),
        )


def _check_sign_in(env: Mapping[str, str]) -> None:
    """The dashboard's sign-in needs all three settings, and a session secret worth the name."""
    names = ("SLOPGUARD_OAUTH_CLIENT_ID", "SLOPGUARD_OAUTH_CLIENT_SECRET", "SLOPGUARD_SESSION_SECRET")
    given = [n for n in names if env.get(n)]
    if given and len(given) < len(names):
        raise SettingsError("the dashboard's sign-in needs " + ", ".join(n for n in names if n not in given))
    if 0 < len(env.get("SLOPGUARD_SESSION_SECRET", "")) < 32:
        raise SettingsError("SLOPGUARD_SESSION_SECRET must be at least 32 characters (e.g. `openssl rand -hex 32`)")


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, not {raw!r}") from None
    if value < 0:
        raise SettingsError(f"{name} must be >= 0")
    return value


def load(*, require_app: bool = True) -> Settings:
    """Settings for a command: a bad environment is a usage error (exit code 2)."""
    try:
        return Settings.from_env(require_app=require_app)
    except SettingsError as exc:
        raise UsageError(str(exc)) from None
