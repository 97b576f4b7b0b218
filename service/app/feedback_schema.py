"""The feedback loop's tables (SQLAlchemy Core), created by migration 0004.

- feedback_signals: one row per (repository, finding fingerprint, kind, user): a `/slopguard wrong`
  or `ignore` reply, a thread resolved with its lines unchanged, lines changed after the comment
  (acted on), a 👍 or 👎 on slopguard's comment;
- rule_calibration: per repository and rule, whether the rule is demoted to the summary or was
  restored by a maintainer (and when, so that only marks made after a restore count again);
- review_stats: per published review, the changed lines and findings per category (the dashboard);
- dashboard_sessions: signed-in dashboard users (the cookie holds only a signed session id).
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, Float, Index, Integer, String, Table, Text, UniqueConstraint

from .schema import metadata

feedback_signals = Table(
    "feedback_signals", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("repo", String(255), nullable=False),
    Column("number", Integer, nullable=False),
    Column("rule", String(255), nullable=False),
    Column("fingerprint", String(128), nullable=False),
    Column("comment_id", BigInteger, nullable=True),
    Column("kind", String(16), nullable=False),
    Column("user", String(255), nullable=False, default=""),
    Column("reason", String(500), nullable=False, default=""),
    Column("created_at", Float, nullable=False),
    UniqueConstraint("repo", "fingerprint", "kind", "user", name="uq_feedback_signal"),
    Index("ix_feedback_signals_repo_rule", "repo", "rule"),
)

rule_calibration = Table(
    "rule_calibration", metadata,
    Column("repo", String(255), primary_key=True),
    Column("rule", String(255), primary_key=True),
    Column("state", String(16), nullable=False),  # demoted | restored
    Column("marks", Integer, nullable=False, default=0),
    Column("wrong", Integer, nullable=False, default=0),
    Column("changed_by", String(255), nullable=False, default=""),
    Column("changed_at", Float, nullable=False),
)

review_stats = Table(
    "review_stats", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("repo", String(255), nullable=False, index=True),
    Column("number", Integer, nullable=False),
    Column("head_sha", String(64), nullable=False),
    Column("added_lines", Integer, nullable=False, default=0),
    Column("removed_lines", Integer, nullable=False, default=0),
    Column("categories", JSON, nullable=False, default=dict),
    Column("created_at", Float, nullable=False),
)

dashboard_sessions = Table(
    "dashboard_sessions", metadata,
    Column("id", String(64), primary_key=True),  # sha256 of the random session id in the cookie
    Column("login", String(255), nullable=False),
    Column("token", Text, nullable=False),  # the user's OAuth access token (never sent to the browser)
    Column("csrf", String(64), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False, index=True),
)
