"""The store's database: engines (SQLite pragmas, the psycopg driver) and the Alembic schema checks.

The schema is created and migrated by Alembic (`slopguard db upgrade`); `serve` and `worker` refuse
to start on a schema that is not at the newest revision (SchemaError), except that a SQLite database
with no tables at all is created on the spot (the one-machine default needs no extra step).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, inspect

from .errors import SchemaError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA synchronous=NORMAL")  # WAL: durable across process crashes
            cursor.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    # Bounded waits: a database that does not answer must not hold a request for minutes.
    connect_args = {"connect_timeout": 5} if url.startswith("postgresql") else {}
    return create_engine(url, pool_pre_ping=True, pool_timeout=10, connect_args=connect_args)


def _alembic_config() -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to date with the migrations shipped inside the package."""
    cfg = _alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def head_revision() -> str:
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> tuple[str | None, bool]:
    """The schema's Alembic revision (None when unversioned) and whether the database has any table."""
    with engine.connect() as conn:
        revision = MigrationContext.configure(conn).get_current_revision()
        has_tables = bool(inspect(conn).get_table_names())
    return revision, has_tables


def check_schema(engine: Engine, *, create_empty: bool = False) -> None:
    """Raise SchemaError unless the schema is at the newest revision.

    With `create_empty`, a database without any table is created (migrated from nothing) instead.
    """
    head = head_revision()
    revision, has_tables = current_revision(engine)
    if revision == head:
        return
    if not has_tables and create_empty:
        upgrade(engine)
        return
    url = engine.url.render_as_string(hide_password=True)
    if revision is None:
        state = "has no slopguard schema" if not has_tables else "has tables but no slopguard schema version"
    else:
        known = {s.revision for s in ScriptDirectory.from_config(_alembic_config()).walk_revisions()}
        if revision not in known:
            raise SchemaError(f"the database {url} is at schema revision {revision}, newer than this slopguard "
                              f"knows (newest: {head}): upgrade slopguard instead")
        state = f"is at schema revision {revision}"
    raise SchemaError(f"the database {url} {state}; this slopguard needs revision {head}: "
                      "run `slopguard db upgrade` first")
