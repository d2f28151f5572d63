"""The store's schema: versioned migrations shipped in the package as ``migrations/<dialect>/NNNN_name.sql``.

This module only reads them; :func:`caseflow.store.upgrade` (or ``caseflow db upgrade URL``)
applies, in order and each in its own transaction, the migrations newer than the database's
version, which it records in the ``caseflow_schema`` table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

from ..errors import MigrationError

__all__ = ["LATEST", "LOCK_ID", "Migration", "migrations"]

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
LOCK_ID = 7_310_242_611  # pg advisory lock held while migrating


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    def statements(self) -> list[str]:
        body = "\n".join(line for line in self.sql.splitlines() if not line.strip().startswith("--"))
        return [s.strip() for s in body.split(";") if s.strip()]


def migrations(dialect: str) -> list[Migration]:
    folder = resources.files("caseflow.store").joinpath("migrations", dialect)
    out: list[Migration] = []
    for f in sorted(folder.iterdir(), key=lambda f: f.name):
        named = _NAME.match(f.name)
        if named:
            out.append(Migration(int(named.group(1)), named.group(2), f.read_text(encoding="utf-8")))
    for i, m in enumerate(out, start=1):
        if m.version != i:
            raise MigrationError(f"migrations for {dialect}: expected version {i}, found {m.version} ({m.name})")
    return out


LATEST = len(migrations("sqlite"))
