"""Opening a store: a mistyped SQLite path is refused and leaves no empty database behind."""

from __future__ import annotations

import pytest

from caseflow.errors import MigrationError
from caseflow.store import open_store


def test_a_mistyped_sqlite_path_is_refused_and_no_empty_database_is_left(tmp_path):
    path = tmp_path / "casse.db"
    with pytest.raises(MigrationError, match="no database file") as e:
        open_store(f"sqlite:///{path}")
    assert e.value.code == "store-missing" and "caseflow db upgrade" in str(e.value)
    assert not path.exists()
    open_store(f"sqlite:///{path}", upgrade=True).close()  # asked to: created
    assert path.exists()
