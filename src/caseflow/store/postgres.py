"""The PostgreSQL store (psycopg 3), for many worker processes on several machines.

Claims never wait on each other: a worker takes the cases whose inbox events it will apply
with transaction-scoped advisory locks (``pg_try_advisory_xact_lock``), so one case's
events are applied by one worker at a time and in order, while other cases go to other
workers; due timers and outbox messages are taken with ``FOR UPDATE SKIP LOCKED``. Every
lock ends with its transaction, so a worker that dies releases everything it held.

Connections come from a pool (``psycopg_pool``, the driver's own): a connection that broke (the
server restarted, a network blip) is dropped and the next transaction gets a new one. A
transaction that fails because the database is unavailable raises :class:`StoreError`
``store-unavailable`` after rolling back; :class:`~caseflow.store.CaseService` retries the work
until the database is back (for ``reconnect_seconds``).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..clock import Clock
from ..errors import StoreError
from .sql import _TIMER_COLUMNS, Cursor, Store, TimerRow, Tx
from .urls import redact_error

__all__ = ["PostgresStore"]


def _psycopg() -> Any:
    try:
        import psycopg
        import psycopg_pool  # noqa: F401 - checked here, used below
    except ImportError:
        raise StoreError(
            "the PostgreSQL store needs psycopg 3 and psycopg_pool: pip install 'caseflow[postgres]'",
            code="store-driver",
        ) from None
    return psycopg


class PostgresStore(Store):
    dialect = "postgresql"
    _skip_locked = " FOR UPDATE SKIP LOCKED"

    def __init__(
        self, url: str, conninfo: str, *, clock: Clock | None = None, pool_size: int = 2, connect_timeout: float = 15.0
    ) -> None:
        super().__init__(url, clock)
        self._psycopg = _psycopg()
        from psycopg_pool import ConnectionPool

        # one connection first, ours: a wrong URL, host or password is a clear error at once, said by
        # us with the password masked (the pool would retry it for connect_timeout and log libpq's text,
        # which can quote pieces of the password, on its own logger)
        try:
            self._psycopg.connect(conninfo, connect_timeout=max(1, int(connect_timeout)), autocommit=True).close()
        except self._psycopg.Error as e:
            raise StoreError(
                f"store {self.redacted_url!r}: cannot connect: {_first_line(e, self)}", code="store-open"
            ) from None
        pool = ConnectionPool(
            conninfo, min_size=1, max_size=pool_size, kwargs={"autocommit": True}, open=False, name="caseflow",
            timeout=connect_timeout,
        )  # fmt: skip
        try:
            pool.open(wait=True, timeout=connect_timeout)
        except self._psycopg.Error as e:
            pool.close()
            raise StoreError(
                f"store {self.redacted_url!r}: cannot connect: {_first_line(e, self)}", code="store-open"
            ) from None
        self._conn = pool
        self._qcache: dict[str, str] = {}

    def _q(self, sql: str) -> str:
        q = self._qcache.get(sql)
        if q is None:
            q = self._qcache[sql] = sql.replace("%", "%%").replace("?", "%s")
        return q

    @contextmanager
    def _begin(self, write: bool = True) -> Iterator[Cursor]:
        if self._conn is None:
            raise StoreError(f"store {self.redacted_url!r} is closed", code="store-closed")
        try:
            with self._conn.connection() as conn, conn.transaction(), conn.cursor() as cur:
                yield cur
        except self._psycopg.OperationalError as e:  # a lost connection, a server restarting, no connection
            raise StoreError(
                f"store {self.redacted_url!r}: the database is unavailable ({_first_line(e, self)}); nothing of this "
                "transaction was kept",
                code="store-unavailable",
            ) from None

    def _processed(self, tx: Tx, event_ids: list[str]) -> dict[str, str]:
        # one statement text whatever the number of ids: psycopg prepares it, PostgreSQL plans it once
        query = "SELECT event_id, case_id FROM processed_events WHERE event_id = ANY(?)"
        return {r[0]: r[1] for r in tx._exec(query, (event_ids,)).fetchall()}

    def _claim_cases(self, tx: Tx, candidates: list[str], limit: int) -> list[str]:
        # the rest shuffled, so that two workers reading the same head of the inbox mostly try different cases
        head, rest = candidates[:limit], candidates[limit:]
        random.shuffle(rest)
        out: list[str] = []
        for cid in head + rest:
            if tx._exec("SELECT pg_try_advisory_xact_lock(hashtextextended(?, 0))", (cid,)).fetchone()[0]:
                out.append(cid)
                if len(out) == limit:
                    break
        return out

    def _lock_case(self, tx: Tx, case_id: str) -> None:
        tx._exec("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", (case_id,))

    def _claim_timers(self, tx: Tx, now_us: int, limit: int) -> list[TimerRow]:
        rows: list[TimerRow] = tx._exec(
            "DELETE FROM timers WHERE key IN ("  # nosec B608
            "SELECT key FROM timers t WHERE due_us <= ? "
            "AND key = (SELECT t2.key FROM timers t2 WHERE t2.case_id = t.case_id ORDER BY t2.due_us, t2.key LIMIT 1) "
            "AND NOT EXISTS (SELECT 1 FROM inbox i WHERE i.case_id = t.case_id) "
            f"ORDER BY due_us, key LIMIT ? FOR UPDATE SKIP LOCKED) RETURNING {_TIMER_COLUMNS}",
            (now_us, limit),
        ).fetchall()
        return sorted(rows, key=lambda r: (r[2], r[0]))  # RETURNING keeps no order

    def _try_lock_case(self, tx: Tx, case_id: str) -> bool:
        return bool(tx._exec("SELECT pg_try_advisory_xact_lock(hashtextextended(?, 0))", (case_id,)).fetchone()[0])


def _first_line(e: BaseException, store: Store) -> str:  # the driver's text may quote the connection string
    return redact_error((str(e).strip().splitlines() or [type(e).__name__])[0], store.url)
