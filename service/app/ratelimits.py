"""GitHub's rate limits as shared state: every worker of the App sees what one of them met.

- `block` remembers, per installation, until when GitHub must not be called (a primary limit's
  reset, a secondary limit's Retry-After or backoff); `blocked_until` is asked before every call.
- `reserve_write` accounts for GitHub's caps on content-creating requests (80 per minute and 500 per
  hour): it records the write and answers 0, or answers how long to wait for a free slot. The
  installation's `rate_limits` row is locked (SELECT ... FOR UPDATE) while counting, so two workers
  cannot both take the last slot.
Both live in the App's store, so they hold across processes and machines.
"""

from __future__ import annotations

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from .schema import content_writes, rate_limits
from .store import Store

PER_MINUTE = 80
PER_HOUR = 500


class SharedLimits:
    def __init__(self, store: Store, *, per_minute: int = PER_MINUTE, per_hour: int = PER_HOUR) -> None:
        self.store = store
        self.per_minute = per_minute
        self.per_hour = per_hour

    def blocked_until(self, installation_id: int) -> float | None:
        """When the installation may call GitHub again, or None when it may now."""
        with self.store.engine.connect() as conn:
            until = conn.execute(select(rate_limits.c.until)
                                 .where(rate_limits.c.installation_id == installation_id)).scalar()
        return float(until) if until is not None and until > self.store.clock() else None

    def block(self, installation_id: int, until: float, kind: str) -> None:
        """No call for the installation before `until` (a later block already known is kept)."""
        with self.store.transaction() as conn:
            self._row(conn, installation_id)
            conn.execute(update(rate_limits)
                         .where((rate_limits.c.installation_id == installation_id) & (rate_limits.c.until < until))
                         .values(until=until, kind=kind[:32], updated_at=self.store.clock()))

    def reserve_write(self, installation_id: int, now: float) -> float:
        """Take a slot for one content-creating request (0.0), or the seconds until one is free."""
        ours = content_writes.c.installation_id == installation_id
        with self.store.transaction() as conn:
            self._row(conn, installation_id, lock=True)
            for window, cap in ((60.0, self.per_minute), (3600.0, self.per_hour)):
                recent = conn.execute(select(content_writes.c.at).where(ours & (content_writes.c.at > now - window))
                                      .order_by(content_writes.c.at.desc()).limit(cap)).scalars().all()
                if len(recent) >= cap:
                    return max(0.001, float(recent[-1]) + window - now)
            conn.execute(delete(content_writes).where(ours & (content_writes.c.at < now - 3600.0)))
            conn.execute(insert(content_writes).values(installation_id=installation_id, at=now))
        return 0.0

    def writes(self, installation_id: int, since: float) -> int:
        with self.store.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(content_writes)
                                    .where((content_writes.c.installation_id == installation_id)
                                           & (content_writes.c.at >= since))).scalar_one())

    def _row(self, conn: Connection, installation_id: int, *, lock: bool = False) -> None:
        query = select(rate_limits.c.until).where(rate_limits.c.installation_id == installation_id)
        if lock and self.store.dialect != "sqlite":
            query = query.with_for_update()
        if conn.execute(query).first() is not None:
            return
        try:
            with conn.begin_nested():
                conn.execute(insert(rate_limits).values(installation_id=installation_id, until=0.0, kind="",
                                                        updated_at=self.store.clock()))
        except IntegrityError:
            pass  # another worker created it meanwhile
        if lock and self.store.dialect != "sqlite":
            conn.execute(query)
