"""The durable store, on SQLite and on PostgreSQL (the same tests; PostgreSQL skips without its URL)."""

from __future__ import annotations

import multiprocessing
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest

from caseflow import TransitionNotAllowed, WorkflowEvent, replay
from caseflow.errors import MigrationError, StoreError
from caseflow.sla.tracker import SlaTracker
from caseflow.store import SCHEMA_VERSION, current_version, open_store, upgrade
from caseflow.testing import make_case

from . import scenario
from .scenario import AGENT, INTAKE, T0


def _svc(url, **kw):
    return scenario.service(url, upgrade=True, **kw)


def test_bad_urls_say_what_to_write(tmp_path):
    with pytest.raises(StoreError, match="unknown scheme 'mysql'") as e:
        open_store("mysql://root@localhost/db")
    assert e.value.code == "store-url"
    with pytest.raises(StoreError, match="names no file"):
        open_store("sqlite:///")
    with pytest.raises(StoreError, match="does not exist"):
        open_store(f"sqlite:///{tmp_path}/no/such/folder/cases.db")
    with pytest.raises(StoreError, match=r"\*\*\*"):  # a password never appears in a message
        open_store("mysql://user:secret@host/db")


def test_a_mistyped_sqlite_path_is_refused_and_no_empty_database_is_left(tmp_path):
    path = tmp_path / "casse.db"
    with pytest.raises(MigrationError, match="no database file") as e:
        open_store(f"sqlite:///{path}")
    assert e.value.code == "store-missing" and "caseflow db upgrade" in str(e.value)
    assert not path.exists()
    open_store(f"sqlite:///{path}", upgrade=True).close()  # asked to: created
    assert path.exists()


def test_a_database_without_the_schema_names_the_command(store_url):
    with pytest.raises(MigrationError, match="caseflow db upgrade"):
        open_store(store_url)
    s = open_store(store_url, upgrade=True)
    assert current_version(s) == SCHEMA_VERSION
    assert upgrade(s) == []  # up to date: nothing applied twice
    s.close()


def test_open_and_handle_are_stored_and_replay_exactly(store_url):
    svc = _svc(store_url)
    case = scenario.cases(1)[0]
    out = svc.open(case, actor=INTAKE, at=case.created_at)
    ev = WorkflowEvent(id="e1", trigger="triage", actor=AGENT, at=case.created_at + timedelta(minutes=3))
    out = svc.handle(case.id, ev)
    # a new connection sees what was committed
    again = open_store(store_url)
    stored = again.get_case(case.id)
    assert stored == out.case and stored.states["tier1"] == "triaged" and stored.version == 2
    records = again.records(case.id)
    assert [r.kind for r in records][:1] == ["opened"] and replay(records) == stored
    # the same event again changes nothing
    dup = svc.handle(case.id, ev)
    assert dup.duplicate and again.get_case(case.id).version == 2
    assert svc.open(case, actor=INTAKE, at=case.created_at).duplicate


def test_the_service_names_a_wrong_argument_and_stores_nothing(tmp_path):
    from caseflow import CaseService, Workflows

    url = f"sqlite:///{tmp_path}/cases.db"
    svc = _svc(url)
    case = scenario.cases(1)[0]
    for call, says in (
        (lambda: svc.open(case.model_dump(), actor=INTAKE), "the case must be a Case, not dict"),
        (lambda: svc.submit(case.id, {"id": "e1"}), "the event must be a WorkflowEvent, not dict"),
        (lambda: svc.handle(case.id, None), "the event must be a WorkflowEvent, not NoneType"),
        (lambda: svc.open(case, actor={"id": "x"}), "the actor must be an Actor, not dict"),
        (lambda: svc.relay(None), "relay() takes a function"),
        (lambda: CaseService(url, Workflows()), "needs a store from caseflow.open_store(URL), not str"),
    ):
        with pytest.raises(StoreError, match=re.escape(says)) as e:
            call()
        assert e.value.code == "service-bad-argument"
    assert open_store(url).counts()["cases"] == 0 and open_store(url).counts()["inbox"] == 0


def test_a_refused_event_changes_nothing_in_the_store(store_url):
    svc = _svc(store_url)
    case = scenario.cases(1)[0]
    svc.open(case, actor=INTAKE, at=case.created_at)
    before = (svc.store.get_case(case.id), len(svc.store.records(case.id)), svc.store.counts())
    with pytest.raises(TransitionNotAllowed):
        svc.handle(case.id, WorkflowEvent(id="bad", trigger="close", actor=AGENT, at=case.created_at))
    assert (svc.store.get_case(case.id), len(svc.store.records(case.id)), svc.store.counts()) == before
    with pytest.raises(StoreError, match="no case 'CS-9999'"):
        svc.handle("CS-9999", WorkflowEvent(id="x", trigger="triage", actor=AGENT, at=T0))


def test_queued_events_apply_in_order_and_failures_are_kept_whole(store_url):
    svc = _svc(store_url)
    scenario.load(svc, 12)
    report = svc.run_until_idle(now=T0)
    assert report.applied > 12 and report.failed == len(svc.store.failed_events()) > 0
    failed = svc.store.failed_events()[0]
    event = WorkflowEvent.model_validate_json(failed["body"])  # the whole event, to fix and submit again
    assert event.id == failed["event_id"] and "not possible" in failed["error"]
    # the stored timers are what a new tracker computes from the stored records alone
    fresh = SlaTracker(svc.tracker.engine, svc.tracker.calendars)
    stored = sorted((t.key, t.due) for t in svc.store.timers())
    computed = sorted(
        (t.key, t.due)
        for cid in svc.store.case_ids()
        for c in [svc.store.get_case(cid)]
        for t in fresh.timers(c, svc.store.records(cid), c.updated_at)
    )
    assert stored == computed and len(stored) > 12
    # the same result as one process applying the events one by one, directly
    ref = scenario.service("memory://")
    for c in scenario.cases(12):
        ref.open(c, actor=INTAKE, at=c.created_at)
    for cid, ev in scenario.events(12):
        try:
            ref.handle(cid, ev)
        except TransitionNotAllowed:
            pass
    a, b = scenario.snapshot(svc), scenario.snapshot(ref)
    assert a["cases"] == b["cases"] and a["records"] == b["records"] and a["outbox"] == b["outbox"]


def test_outbox_effects_leave_after_commit_at_least_once_and_a_refund_is_paid_once(store_url):
    svc = _svc(store_url)
    case = make_case(id="CS-R1", created_at=T0.isoformat())  # a small refund of a trusted buyer: approved at opening
    out = svc.open(case, actor=INTAKE, at=case.created_at)
    assert out.case.states["refund_only"] == "approved"
    ledger: dict[str, str] = {}  # the payment system: pays a key once
    calls: list[str] = []

    def pay_then_crash(msg):
        calls.append(msg.key)
        if msg.kind == "refund.pay":
            ledger.setdefault(msg.key, msg.payload["amount"])
        raise ConnectionError("payment API timed out after paying")  # the relay cannot know it was paid

    assert svc.relay(pay_then_crash) == 0
    pending = svc.store.outbox(pending=True)
    assert [m.kind for m in pending] == ["refund.pay"] and pending[0].attempts == 1
    assert "timed out" in pending[0].last_error

    def pay(msg):
        calls.append(msg.key)
        if msg.kind == "refund.pay":
            ledger.setdefault(msg.key, msg.payload["amount"])  # a repeat of the key is dropped

    assert svc.relay(pay) == 1 and svc.relay(pay) == 0
    assert calls == [f"refund:{case.id}:{case.orders[0].id}"] * 2  # delivered twice ...
    assert ledger == {f"refund:{case.id}:{case.orders[0].id}": str(case.requested_amount.amount)}  # ... paid once
    # the same event redelivered, and the policies approving again later, add no second refund
    ev = WorkflowEvent(id="t1", trigger="triage", actor=AGENT, at=case.created_at + timedelta(minutes=1))
    svc.submit(case.id, ev)
    svc.run_until_idle(now=T0)
    svc.submit(case.id, ev)  # redelivered after it was applied
    svc.handle(case.id, WorkflowEvent(id="eval-2", trigger="evaluate", actor=INTAKE, at=ev.at))
    svc.run_until_idle(now=T0)
    assert [m.key for m in svc.store.outbox() if m.kind == "refund.pay"] == [f"refund:{case.id}:{case.orders[0].id}"]
    assert svc.store.get_case(case.id).applied_events.count("t1") == 1


def _hammer(url: str, case_id: str, worker: int, n: int, lock: bool, sync: str) -> None:
    import structlog

    conflicts = []

    def count(_logger, _method, event_dict):  # the app's logger: count the retries, print nothing
        if event_dict["event"] == "case.conflict":
            conflicts.append(1)
        raise structlog.DropEvent

    svc = scenario.service(url, worker_id=f"h{worker}")
    svc.lock_cases, svc.retries = lock, 40
    svc.log = structlog.wrap_logger(structlog.PrintLogger(), processors=[count])
    (Path(sync) / f"ready-{worker}").touch()
    while not (Path(sync) / "go").exists():  # all start together
        time.sleep(0.002)
    for k in range(n):
        svc.handle(
            case_id, WorkflowEvent(id=f"w{worker}-{k}", trigger="evaluate", actor=INTAKE, at=T0 + timedelta(seconds=k))
        )
    (Path(sync) / f"conflicts-{worker}").write_text(str(len(conflicts)))


@pytest.mark.parametrize("lock", [True, False], ids=["locked", "optimistic-only"])
def test_concurrent_writers_to_one_case_lose_no_update(store_url, lock, tmp_path):
    svc = _svc(store_url)
    case = scenario.cases(1)[0]
    svc.open(case, actor=INTAKE, at=case.created_at)
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_hammer, args=(store_url, case.id, w, 15, lock, str(tmp_path))) for w in range(3)]
    for p in procs:
        p.start()
    while len(list(tmp_path.glob("ready-*"))) < 3:
        time.sleep(0.01)
    (tmp_path / "go").touch()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    stored = svc.store.get_case(case.id)
    assert stored.version == 1 + 45  # every one of the 45 events applied once: no lost update
    assert sorted(e for e in stored.applied_events if e.startswith("w")) == sorted(
        f"w{w}-{k}" for w in range(3) for k in range(15)
    )
    assert replay(svc.store.records(case.id)) == stored
    conflicts = sum(int(f.read_text()) for f in tmp_path.glob("conflicts-*"))
    if not lock and store_url.startswith("postgresql"):
        assert conflicts > 0  # the version check caught concurrent writes, and the retries applied them
    if lock:
        assert conflicts == 0  # writers waited their turn


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
