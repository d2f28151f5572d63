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
from .urls import redact_url

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
                    f"store {redact_url(url)!r}: folder {str(parent)!r} does not exist; "
                    "create it or choose another path",
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
            found = _sqlite_error(url, e)
            if found.code == "store-error":
                found = StoreError(f"store {redact_url(url)!r}: cannot open SQLite database: {e}", code="store-open")
            raise found from None

    def _ts(self, dt: datetime) -> str:
        return dt.astimezone(UTC).isoformat(timespec="microseconds")

    @contextmanager
    def _begin(self, write: bool = True) -> Iterator[sqlite3.Cursor]:
        if self._conn is None:
            raise StoreError(f"store {self.redacted_url!r} is closed", code="store-closed")
        cur = self._conn.cursor()
        try:
            cur.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        except sqlite3.Error as e:
            found = _sqlite_error(self.url, e)
            if found.code == "store-error":
                found = StoreError(f"store {self.redacted_url!r}: cannot begin a transaction: {e}", code="store-busy")
            raise found from None
        try:
            yield cur
            self._conn.execute("COMMIT")
        except sqlite3.IntegrityError:  # a key taken concurrently: the service reads again and retries
            self._rollback()
            raise
        except sqlite3.Error as e:  # read-only, disk full, damaged: nothing of the transaction is kept
            self._rollback()
            raise _sqlite_error(self.url, e) from None
        except BaseException:
            self._rollback()
            raise
        finally:
            cur.close()

    def _rollback(self) -> None:
        if self._conn is not None and self._conn.in_transaction:
            try:
                self._conn.execute("ROLLBACK")
            except sqlite3.Error:  # the failed statement rolled it back already
                pass

    def integrity(self) -> list[str]:
        """What SQLite's own check finds wrong in the file (``PRAGMA quick_check``): empty when sound."""
        with self._begin(write=False) as cur:
            rows = [str(r[0]) for r in cur.execute("PRAGMA quick_check(20)").fetchall()]
        return [] if rows == ["ok"] else rows

    def _claim_cases(self, tx: Tx, candidates: list[str], limit: int) -> list[str]:
        return candidates[:limit]  # the write lock is held: nobody else is claiming

    def _claim_timers(self, tx: Tx, now_us: int, limit: int) -> list[TimerRow]:
        rows: list[TimerRow] = tx._exec(self._DUE_FIRST, (now_us, limit)).fetchall()
        tx._many("DELETE FROM timers WHERE key = ?", [(r[0],) for r in rows])
        return rows


def _sqlite_error(url: str, e: sqlite3.Error) -> StoreError:
    """A SQLite failure as the store error an operator can act on (the transaction was rolled back)."""
    text = str(e)
    low = text.lower()
    where = f"store {redact_url(url)}"
    if "readonly" in low or "read-only" in low:
        return StoreError(
            f"{where}: the database file is read-only ({text}); nothing was written: give this process write "
            "access to the file and its folder (SQLite writes -wal and -shm files beside it)",
            code="store-readonly",
        )
    if "disk is full" in low or "database or disk is full" in low:
        return StoreError(
            f"{where}: the disk is full ({text}); this transaction was rolled back, nothing half-written: "
            "free space, then retry (events are idempotent)",
            code="store-full",
        )
    if "malformed" in low or "not a database" in low or "corrupt" in low:
        return StoreError(
            f"{where}: the database file is damaged ({text}): restore it from a backup; "
            "caseflow db check URL shows what SQLite finds",
            code="store-corrupt",
        )
    if "locked" in low or "busy" in low:
        return StoreError(f"{where}: SQLite could not take its lock in time ({text})", code="store-busy")
    return StoreError(f"{where}: {text}", code="store-error")
