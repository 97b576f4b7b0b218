"""The store's feedback tables: signals, calibration, review statistics and dashboard sessions.

A companion of `Store` (store.py): it shares the store's engine and write transaction, so SQLite's
one-writer lock and PostgreSQL's pool are the same ones the rest of the App uses.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from .feedback_schema import dashboard_sessions, feedback_signals, review_stats, rule_calibration
from .store import Store

VERDICT_KINDS = ("wrong", "ignore")  # a user's own verdict on a finding: the newer one replaces the older
REACTION_KINDS = ("thumbs_up", "thumbs_down")


@dataclass(frozen=True)
class Signal:
    repo: str
    number: int
    rule: str
    fingerprint: str
    comment_id: int | None
    kind: str  # wrong | ignore | resolved | acted_on | thumbs_up | thumbs_down
    user: str = ""
    reason: str = ""


@dataclass(frozen=True)
class Session:
    login: str
    token: str
    csrf: str


class FeedbackStore:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.engine = store.engine

    # ------------------------------------------------------------------ signals

    def record(self, signal: Signal) -> bool:
        """Record one signal; True when it is new (a repeat only refreshes the reason)."""
        values = {"repo": signal.repo[:255], "number": signal.number, "rule": signal.rule[:255],
                  "fingerprint": signal.fingerprint[:128], "comment_id": signal.comment_id, "kind": signal.kind,
                  "user": signal.user[:255], "reason": signal.reason[:500], "created_at": time.time()}
        with self.store.transaction() as conn:
            if signal.kind in VERDICT_KINDS:
                conn.execute(delete(feedback_signals).where(
                    self._finding(signal) & (feedback_signals.c.user == signal.user[:255])
                    & feedback_signals.c.kind.in_([k for k in VERDICT_KINDS if k != signal.kind])))
            return self._insert(conn, signal, values)

    def _insert(self, conn: Connection, signal: Signal, values: dict[str, Any]) -> bool:
        try:
            with conn.begin_nested():
                conn.execute(insert(feedback_signals).values(**values))
            return True
        except IntegrityError:
            conn.execute(update(feedback_signals)
                         .where(self._finding(signal) & (feedback_signals.c.kind == signal.kind)
                                & (feedback_signals.c.user == signal.user[:255]))
                         .values(reason=values["reason"]))
            return False

    def forget(self, signal: Signal) -> None:
        """Take back one signal (a thread resolved, then unresolved)."""
        with self.store.transaction() as conn:
            conn.execute(delete(feedback_signals).where(self._finding(signal) & (feedback_signals.c.kind == signal.kind)
                                                        & (feedback_signals.c.user == signal.user[:255])))

    def replace_reactions(self, template: Signal, ups: Iterable[str], downs: Iterable[str]) -> None:
        """The 👍/👎 on one of slopguard's comments as GitHub shows them now (removed ones are forgotten)."""
        with self.store.transaction() as conn:
            conn.execute(delete(feedback_signals).where(self._finding(template)
                                                        & feedback_signals.c.kind.in_(REACTION_KINDS)))
            now = time.time()
            for kind, users in (("thumbs_up", ups), ("thumbs_down", downs)):
                for user in sorted(set(users)):
                    conn.execute(insert(feedback_signals).values(
                        repo=template.repo, number=template.number, rule=template.rule[:255],
                        fingerprint=template.fingerprint[:128], comment_id=template.comment_id, kind=kind,
                        user=user[:255], reason="", created_at=now))

    @staticmethod
    def _finding(signal: Signal) -> Any:
        return (feedback_signals.c.repo == signal.repo[:255]) & (feedback_signals.c.fingerprint
                                                                  == signal.fingerprint[:128])

    def signals(self, repo: str) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(feedback_signals).where(feedback_signals.c.repo == repo)
                                .order_by(feedback_signals.c.id)).mappings().all()
        return [dict(r) for r in rows]

    # ------------------------------------------------------------------ calibration

    def calibration(self, repo: str) -> dict[str, dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(rule_calibration).where(rule_calibration.c.repo == repo)).mappings().all()
        return {str(r["rule"]): dict(r) for r in rows}

    def set_calibration(self, repo: str, rule: str, state: str, *, marks: int = 0, wrong: int = 0,
                        by: str = "") -> None:
        values = {"state": state, "marks": marks, "wrong": wrong, "changed_by": by[:255], "changed_at": time.time()}
        where = (rule_calibration.c.repo == repo) & (rule_calibration.c.rule == rule)
        with self.store.transaction() as conn:
            if conn.execute(update(rule_calibration).where(where).values(**values)).rowcount == 0:
                try:
                    with conn.begin_nested():
                        conn.execute(insert(rule_calibration).values(repo=repo, rule=rule, **values))
                except IntegrityError:
                    conn.execute(update(rule_calibration).where(where).values(**values))

    # ------------------------------------------------------------------ review statistics

    def record_review(self, repo: str, number: int, head_sha: str, added: int, removed: int,
                      categories: dict[str, int]) -> None:
        with self.store.transaction() as conn:
            conn.execute(insert(review_stats).values(repo=repo, number=number, head_sha=head_sha, added_lines=added,
                                                     removed_lines=removed, categories=dict(categories),
                                                     created_at=time.time()))

    def reviews(self, repo: str) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(review_stats).where(review_stats.c.repo == repo)
                                .order_by(review_stats.c.id)).mappings().all()
        return [dict(r) for r in rows]

    # ------------------------------------------------------------------ dashboard sessions

    def create_session(self, login: str, token: str, ttl_s: float) -> str:
        """A new session; returns the random id the (signed) cookie carries. Only its hash is stored."""
        raw = secrets.token_urlsafe(32)
        now = time.time()
        with self.store.transaction() as conn:
            conn.execute(delete(dashboard_sessions).where(dashboard_sessions.c.expires_at < now))
            conn.execute(insert(dashboard_sessions).values(id=_hash(raw), login=login[:255], token=token,
                                                           csrf=secrets.token_urlsafe(32), created_at=now,
                                                           expires_at=now + ttl_s))
        return raw

    def session(self, raw: str) -> Session | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(dashboard_sessions)
                               .where(dashboard_sessions.c.id == _hash(raw))).mappings().first()
        if row is None or float(row["expires_at"]) < time.time():
            return None
        return Session(str(row["login"]), str(row["token"]), str(row["csrf"]))

    def end_session(self, raw: str) -> None:
        with self.store.transaction() as conn:
            conn.execute(delete(dashboard_sessions).where(dashboard_sessions.c.id == _hash(raw)))


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()
