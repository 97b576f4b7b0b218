"""GitHub lifecycle: deferred jobs and their open check run, pending reviews, shared rate limits.

- jobs.not_before: a job waits (not counted as an attempt) until then, e.g. a rate limit's reset;
- jobs.head_sha / jobs.check_run_id: the check run the job opened, completed however the job ends;
- jobs.repository_id: GitHub's id of the repository (tokens are scoped to it; it survives a rename);
- pull_requests.pending_review / pending_since: the marker of a review POST that may be in flight;
- rate_limits: per installation, until when GitHub must not be called (shared by all workers);
- content_writes: content-creating requests per installation (GitHub's 80/minute, 500/hour caps).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("not_before", sa.Float, nullable=True))
        batch.add_column(sa.Column("head_sha", sa.String(64), nullable=True))
        batch.add_column(sa.Column("check_run_id", sa.BigInteger, nullable=True))
        batch.add_column(sa.Column("repository_id", sa.BigInteger, nullable=True))
    with op.batch_alter_table("pull_requests") as batch:
        batch.add_column(sa.Column("pending_review", sa.String(128), nullable=True))
        batch.add_column(sa.Column("pending_since", sa.Float, nullable=True))
    op.create_table(
        "rate_limits",
        sa.Column("installation_id", sa.BigInteger, primary_key=True),
        sa.Column("until", sa.Float, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_table(
        "content_writes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("installation_id", sa.BigInteger, nullable=False),
        sa.Column("at", sa.Float, nullable=False),
    )
    op.create_index("ix_content_writes_installation_at", "content_writes", ["installation_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_content_writes_installation_at", table_name="content_writes")
    op.drop_table("content_writes")
    op.drop_table("rate_limits")
    with op.batch_alter_table("pull_requests") as batch:
        batch.drop_column("pending_since")
        batch.drop_column("pending_review")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("repository_id")
        batch.drop_column("check_run_id")
        batch.drop_column("head_sha")
        batch.drop_column("not_before")
