"""The SQLite store: the embedded default. WAL mode; every write transaction is ``BEGIN
IMMEDIATE``, so SQLite's single writer lock is the claim: the worker that holds it takes the
next inbox events and due timers, and no other process can take the same ones (the SQLite
equivalent of ``FOR UPDATE SKIP LOCKED``). Readers are not blocked (WAL)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from ..clock import Clock
from ..errors import StoreError
from .sql import Store, TimerRow, Tx

__all__ = ["SqliteStore"]


class SqliteStore(Store):
    dialect = "sqlite"

    def __init__(self, url: str, path: str, *, clock: Clock | None = None, busy_timeout_s: float = 60.0) -> None:
        super().__init__(url, clock)
        self.path = path
        if path != ":memory:":
            parent = Path(path).expanduser().resolve().parent
            if not parent.is_dir():
                raise StoreError(
                    f"store {url!r}: folder {str(parent)!r} does not exist; create it or choose another path",
                    code="store-url",
                )
        try:
            self._conn = sqlite3.connect(path, isolation_level=None, timeout=busy_timeout_s, check_same_thread=True)
            if path != ":memory:":
                self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute(
                "PRAGMA synchronous=NORMAL"
            )  # WAL + NORMAL: durable at checkpoints, safe from corruption
            self._conn.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
        except sqlite3.Error as e:
            raise StoreError(f"store {url!r}: cannot open SQLite database: {e}", code="store-open") from None

    def _ts(self, dt: datetime) -> str:
        return dt.astimezone(UTC).isoformat(timespec="microseconds")

    @contextmanager
    def _begin(self, write: bool = True) -> Iterator[sqlite3.Cursor]:
        if self._conn is None:
            raise StoreError(f"store {self.url!r} is closed", code="store-closed")
        cur = self._conn.cursor()
        try:
            cur.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        except sqlite3.Error as e:
            raise StoreError(f"store {self.url!r}: cannot begin a transaction: {e}", code="store-busy") from None
        try:
            yield cur
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        else:
            self._conn.execute("COMMIT")
        finally:
            cur.close()

    def _claim_cases(self, tx: Tx, candidates: list[str], limit: int) -> list[str]:
        return candidates[:limit]  # the write lock is held: nobody else is claiming

    def _claim_timers(self, tx: Tx, now_us: int, limit: int) -> list[TimerRow]:
        rows: list[TimerRow] = tx._exec(self._DUE_FIRST, (now_us, limit)).fetchall()
        tx._many("DELETE FROM timers WHERE key = ?", [(r[0],) for r in rows])
        return rows
