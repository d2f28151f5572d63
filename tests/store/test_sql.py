"""The store's schema versions and lifecycle, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest

from caseflow.errors import MigrationError, StoreError
from caseflow.store import SCHEMA_VERSION, current_version, open_store, upgrade


def test_a_database_without_the_schema_names_the_command(store_url):
    with pytest.raises(MigrationError, match="caseflow db upgrade"):
        open_store(store_url)
    s = open_store(store_url, upgrade=True)
    assert current_version(s) == SCHEMA_VERSION
    assert upgrade(s) == []  # up to date: nothing applied twice
    s.close()


def test_a_newer_schema_or_a_closed_store_is_a_clear_error(store_url):
    s = open_store(store_url, upgrade=True)
    with s.transaction() as tx:  # as if a newer caseflow had migrated this database
        tx._exec(
            "INSERT INTO caseflow_schema (version, name, applied_at) VALUES (?, ?, ?)",
            (SCHEMA_VERSION + 1, "from_the_future", "2027-01-01T00:00:00+00:00"),
        )
    s.close()
    with pytest.raises(MigrationError, match="newer than this caseflow"):
        open_store(store_url)
    with pytest.raises(StoreError, match="is closed") as e:
        s.get_case("x")
    assert e.value.code == "store-closed"
