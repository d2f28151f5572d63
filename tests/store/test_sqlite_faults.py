"""SQLite failing under the store: a read-only database, a full disk, a damaged file. Each is one
StoreError with a code an operator can act on, and nothing of the failed transaction is kept."""

from __future__ import annotations

import pytest

from caseflow import Actor, Engine, FixedClock, StoreError, Workflows, load_policies
from caseflow.sla import SlaTracker, load_calendars
from caseflow.store import CaseService, open_store
from caseflow.testing import make_case
from tests.helpers import RULES

AT = "2026-11-20T09:00:00+08:00"
INTAKE = Actor(id="intake", role="system")


@pytest.fixture(scope="module")
def pack():
    engine = Engine(load_policies([RULES, RULES / "sla"]), clock=FixedClock(AT))
    return Workflows(engine=engine), SlaTracker(engine, load_calendars(RULES / "sla" / "sla.calendars.yaml"))


def _service(tmp_path, pack) -> CaseService:
    flows, tracker = pack
    clock = FixedClock(AT)
    return CaseService(open_store(f"sqlite:///{tmp_path / 'cases.db'}", upgrade=True, clock=clock), flows,
                       tracker=tracker, clock=clock)  # fmt: skip


def _open(svc: CaseService, i: int) -> None:
    case = make_case(id=f"C-{i}", created_at=AT)
    svc.open(case, actor=INTAKE, at=case.created_at)


def test_a_read_only_database_is_one_clear_error_and_nothing_is_half_written(tmp_path, pack):
    svc = _service(tmp_path, pack)
    _open(svc, 1)
    svc.store._conn.execute("PRAGMA query_only = ON")  # as a file the process may not write
    with pytest.raises(StoreError) as e:
        _open(svc, 2)
    assert e.value.code == "store-readonly" and "write access" in str(e.value)
    svc.store._conn.execute("PRAGMA query_only = OFF")
    assert svc.store.case_ids() == ["C-1"] and svc.store.records("C-2") == []
    _open(svc, 2)  # once writable, the same opening goes through
    assert svc.store.case_ids() == ["C-1", "C-2"] and svc.check_timers() == []


def test_a_full_disk_rolls_the_transaction_back_and_the_store_stays_consistent(tmp_path, pack):
    svc = _service(tmp_path, pack)
    _open(svc, 0)
    pages = svc.store._conn.execute("PRAGMA page_count").fetchone()[0]
    svc.store._conn.execute(f"PRAGMA max_page_count = {pages + 2}")  # the disk fills up a few cases later
    opened = [0]
    with pytest.raises(StoreError) as e:
        for i in range(1, 500):
            _open(svc, i)
            opened.append(i)
    assert e.value.code == "store-full" and "nothing half-written" in str(e.value)
    stored = svc.store.case_ids()
    assert sorted(stored) == sorted(f"C-{i}" for i in opened)  # every case it said it opened, no other
    assert all(svc.store.records(cid) for cid in stored) and svc.check_timers() == []
    svc.store._conn.execute("PRAGMA max_page_count = 1073741823")
    _open(svc, opened[-1] + 1)  # space again: the next opening works


def test_a_file_that_is_no_database_is_refused_when_opened(tmp_path):
    path = tmp_path / "cases.db"
    path.write_bytes(b"these are not the pages of a SQLite database\n" * 200)
    with pytest.raises(StoreError) as e:
        open_store(f"sqlite:///{path}", upgrade=True)
    assert e.value.code == "store-corrupt" and "restore it from a backup" in str(e.value)
