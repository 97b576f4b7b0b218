"""The store's tables (SQLAlchemy Core). Migrations under migrations/versions create them."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

deliveries = Table(
    "deliveries", metadata,
    Column("id", String(64), primary_key=True),  # X-GitHub-Delivery
    Column("event", String(64), nullable=False),
    Column("received_at", Float, nullable=False, index=True),  # ix_deliveries_received_at (0002)
)

installations = Table(
    "installations", metadata,
    Column("id", BigInteger, primary_key=True),
    Column("account", String(255), nullable=False, default=""),
    Column("action", String(64), nullable=False, default=""),
    Column("active", Boolean, nullable=False, default=True),
    Column("updated_at", Float, nullable=False),
)

pull_requests = Table(
    "pull_requests", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("repo", String(255), nullable=False),
    Column("number", Integer, nullable=False),
    Column("summary_comment_id", BigInteger, nullable=True),
    Column("check_runs", JSON, nullable=False, default=dict),
    Column("posted", JSON, nullable=False, default=dict),
    Column("paused", Boolean, nullable=False, default=False),
    Column("pending_review", String(128), nullable=True),  # marker of a review POST maybe in flight (0003)
    Column("pending_since", Float, nullable=True),  # when that POST started (0003)
    UniqueConstraint("repo", "number", name="uq_pull_requests_repo_number"),
)

jobs = Table(
    "jobs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("repo", String(255), nullable=False),
    Column("number", Integer, nullable=False),
    Column("installation_id", BigInteger, nullable=False),
    Column("clone_url", Text, nullable=False),
    Column("reason", String(64), nullable=False),
    Column("generation", Integer, nullable=False, default=0),
    Column("done_generation", Integer, nullable=False, default=0),
    Column("lease_owner", String(128), nullable=True),
    Column("lease_until", Float, nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("updated_at", Float, nullable=False),
    Column("delivery", String(64), nullable=True),  # the X-GitHub-Delivery that last asked (0002)
    Column("not_before", Float, nullable=True),  # deferred until then, e.g. a rate limit's reset (0003)
    Column("head_sha", String(64), nullable=True),  # the head whose check run the job opened (0003)
    Column("check_run_id", BigInteger, nullable=True),  # that check run, until the job completes it (0003)
    Column("repository_id", BigInteger, nullable=True),  # GitHub's repository id: token scope (0003)
    UniqueConstraint("repo", "number", name="uq_jobs_repo_number"),
)

scans = Table(
    "scans", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("repo", String(255), nullable=False, index=True),
    Column("number", Integer, nullable=False),
    Column("head_sha", String(64), nullable=False),
    Column("base_sha", String(64), nullable=False, default=""),
    Column("status", String(32), nullable=False),
    Column("findings", Integer, nullable=False, default=0),
    Column("risk", Integer, nullable=False, default=0),
    Column("duration_s", Float, nullable=False, default=0.0),
    Column("llm_cost_usd", Float, nullable=False, default=0.0),
    Column("detail", Text, nullable=False, default=""),
    Column("created_at", Float, nullable=False),
)

rate_limits = Table(  # 0003: until when an installation must not call GitHub (shared by all workers)
    "rate_limits", metadata,
    Column("installation_id", BigInteger, primary_key=True),
    Column("until", Float, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("updated_at", Float, nullable=False),
)

content_writes = Table(  # 0003: content-creating requests, for GitHub's per-minute and per-hour caps
    "content_writes", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("installation_id", BigInteger, nullable=False),
    Column("at", Float, nullable=False),
    Index("ix_content_writes_installation_at", "installation_id", "at"),
)
