"""Versioned schema migrations, shipped in the package: ``migrations/<dialect>/NNNN_name.sql``.

``upgrade(store)`` (or ``caseflow db upgrade URL``) applies, in order and each in its own
transaction, the migrations newer than the database's version, which it records in the
``caseflow_schema`` table. Two processes upgrading at once are serialised (an advisory lock on
PostgreSQL, the write lock on SQLite), so each migration runs once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import TYPE_CHECKING

from ...errors import MigrationError

if TYPE_CHECKING:
    from ..sql import Store

__all__ = ["LATEST", "Migration", "current_version", "migrations", "upgrade"]

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
_LOCK_ID = 7_310_242_611  # pg advisory lock held while migrating


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    def statements(self) -> list[str]:
        body = "\n".join(line for line in self.sql.splitlines() if not line.strip().startswith("--"))
        return [s.strip() for s in body.split(";") if s.strip()]


def migrations(dialect: str) -> list[Migration]:
    folder = resources.files(__package__).joinpath(dialect)
    out: list[Migration] = []
    for f in sorted(folder.iterdir(), key=lambda f: f.name):
        m = _NAME.match(f.name)
        if m:
            out.append(Migration(int(m.group(1)), m.group(2), f.read_text(encoding="utf-8")))
    for i, m in enumerate(out, start=1):
        if m.version != i:
            raise MigrationError(f"migrations for {dialect}: expected version {i}, found {m.version} ({m.name})")
    return out


LATEST = len(migrations("sqlite"))


def _ensure_table(store: Store) -> None:
    with store.transaction() as tx:
        tx._exec("CREATE TABLE IF NOT EXISTS caseflow_schema (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                 "applied_at TEXT NOT NULL)")


def current_version(store: Store) -> int:
    """The schema version of the store's database (0: nothing installed)."""
    _ensure_table(store)
    with store.transaction() as tx:
        row = tx._exec("SELECT max(version) FROM caseflow_schema").fetchone()
    return int(row[0] or 0)


def upgrade(store: Store) -> list[Migration]:
    """Apply the missing migrations; return those applied (none when up to date)."""
    _ensure_table(store)
    applied: list[Migration] = []
    for m in migrations(store.dialect):
        with store.transaction() as tx:
            if store.dialect == "postgresql":
                tx._exec("SELECT pg_advisory_xact_lock(?)", (_LOCK_ID,))
            have = int(tx._exec("SELECT max(version) FROM caseflow_schema").fetchone()[0] or 0)
            if m.version <= have:
                continue
            try:
                for stmt in m.statements():
                    tx._exec(stmt)
            except Exception as e:
                raise MigrationError(f"{store.redacted_url}: migration {m.version:04d}_{m.name} failed: "
                                     f"{str(e).strip()}; nothing of it was applied") from None
            tx._exec("INSERT INTO caseflow_schema (version, name, applied_at) VALUES (?, ?, ?)",
                     (m.version, m.name, datetime.now(UTC).isoformat()))
            applied.append(m)
    store.check_schema()  # a database newer than this caseflow is refused here too
    return applied
