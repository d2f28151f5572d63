"""The PostgreSQL store (psycopg 3), for many worker processes on several machines.

Claims never wait on each other: a worker takes the cases whose inbox events it will apply
with transaction-scoped advisory locks (``pg_try_advisory_xact_lock``), so one case's
events are applied by one worker at a time and in order, while other cases go to other
workers; due timers and outbox messages are taken with ``FOR UPDATE SKIP LOCKED``. Every
lock ends with its transaction, so a worker that dies releases everything it held.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..clock import Clock
from ..errors import StoreError
from .sql import _TIMER_COLUMNS, Cursor, Store, TimerRow, Tx

__all__ = ["PostgresStore"]


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise StoreError(
            "the PostgreSQL store needs psycopg 3: pip install 'caseflow[postgres]'", code="store-driver"
        ) from None
    return psycopg


class PostgresStore(Store):
    dialect = "postgresql"
    _skip_locked = " FOR UPDATE SKIP LOCKED"

    def __init__(self, url: str, conninfo: str, *, clock: Clock | None = None) -> None:
        super().__init__(url, clock)
        psycopg = _psycopg()
        try:
            self._conn = psycopg.connect(conninfo, autocommit=True)
        except psycopg.Error as e:
            raise StoreError(
                f"store {self.redacted_url!r}: cannot connect: {str(e).strip()}", code="store-open"
            ) from None
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
        with self._conn.transaction(), self._conn.cursor() as cur:
            yield cur

    def _processed(self, tx: Tx, event_ids: list[str]) -> set[str]:
        # one statement text whatever the number of ids: psycopg prepares it, PostgreSQL plans it once
        return {
            r[0]
            for r in tx._exec("SELECT event_id FROM processed_events WHERE event_id = ANY(?)", (event_ids,)).fetchall()
        }

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
            "DELETE FROM timers WHERE key IN ("
            "SELECT key FROM timers t WHERE due_us <= ? "
            "AND key = (SELECT t2.key FROM timers t2 WHERE t2.case_id = t.case_id ORDER BY t2.due_us, t2.key LIMIT 1) "
            "AND NOT EXISTS (SELECT 1 FROM inbox i WHERE i.case_id = t.case_id) "
            f"ORDER BY due_us, key LIMIT ? FOR UPDATE SKIP LOCKED) RETURNING {_TIMER_COLUMNS}",
            (now_us, limit),
        ).fetchall()
        return sorted(rows, key=lambda r: (r[2], r[0]))  # RETURNING keeps no order

    def _try_lock_case(self, tx: Tx, case_id: str) -> bool:
        return bool(tx._exec("SELECT pg_try_advisory_xact_lock(hashtextextended(?, 0))", (case_id,)).fetchone()[0])
