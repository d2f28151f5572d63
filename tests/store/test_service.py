"""The case service on a durable store, on SQLite and on PostgreSQL (PostgreSQL skips without its URL).

Several worker processes against one store end in the result of a serial run, whatever happens:
each worker is a separate ``python -m tests.store.scenario`` process with its own engine and
connection, on SQLite (one file, WAL) and on PostgreSQL."""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from caseflow import TransitionNotAllowed, WorkflowEvent, replay
from caseflow.errors import StoreError
from caseflow.sla.tracker import SlaTracker
from caseflow.store import open_store
from tests.helpers import ROOT

from . import scenario
from .scenario import AGENT, INTAKE, T0, _svc


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


def test_an_event_id_another_case_took_is_refused_never_dropped_as_a_duplicate(store_url):
    svc = _svc(store_url)
    a, b, c = scenario.cases(3)
    for case in (a, b, c):
        svc.open(case, actor=INTAKE, at=case.created_at)
    at = a.created_at + timedelta(minutes=3)
    b_before = svc.store.get_case(b.id)
    svc.handle(a.id, WorkflowEvent(id="triage-1", trigger="triage", actor=AGENT, at=at))
    reused = WorkflowEvent(id="triage-1", trigger="triage", actor=AGENT, at=at)
    with pytest.raises(StoreError) as e:  # applied to a already: handle() on b says so
        svc.handle(b.id, reused)
    assert e.value.code == "store-event-id-reused" and repr(a.id) in str(e.value)
    with pytest.raises(StoreError) as e:  # and so does the queue, when it is submitted
        svc.submit(b.id, reused)
    assert e.value.code == "store-event-id-reused"
    assert svc.submit(c.id, WorkflowEvent(id="queued-1", trigger="triage", actor=AGENT, at=at))
    with pytest.raises(StoreError) as e:  # queued for c, not applied yet: taken all the same
        svc.submit(b.id, WorkflowEvent(id="queued-1", trigger="triage", actor=AGENT, at=at))
    assert e.value.code == "store-event-id-reused" and repr(c.id) in str(e.value)
    with pytest.raises(StoreError):
        svc.handle(b.id, WorkflowEvent(id="queued-1", trigger="triage", actor=AGENT, at=at))
    assert not svc.submit(c.id, WorkflowEvent(id="queued-1", trigger="triage", actor=AGENT, at=at))  # same case
    svc.run_until_idle(now=at)
    assert svc.store.get_case(a.id).states["tier1"] == svc.store.get_case(c.id).states["tier1"] == "triaged"
    assert svc.store.get_case(b.id) == b_before  # nothing of the refused events reached b


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


# --- several worker processes against one store -----------------------------------------------

N_CASES = 40


def _worker(url: str, mode: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.store.scenario", url, mode, *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def _finish(p: subprocess.Popen) -> dict:
    out, err = p.communicate(timeout=300)
    assert p.returncode == 0, err[-3000:]
    return json.loads(out.strip().splitlines()[-1])


def _start_together(procs: list[subprocess.Popen], tmp_path: Path, go: Path) -> None:
    deadline = time.time() + 120
    while len(list(tmp_path.glob("ready-*"))) < len(procs) and time.time() < deadline:
        time.sleep(0.02)
    go.touch()


def _serial(n: int) -> dict:
    ref = scenario.service("memory://")
    scenario.load(ref, n)
    ref.run_until_idle(now=T0)
    return scenario.snapshot(ref)


def test_n_workers_end_in_the_state_of_a_serial_run(store_url, tmp_path):
    svc = scenario.service(store_url, upgrade=True)
    scenario.load(svc, N_CASES)
    go = tmp_path / "go"
    procs = [
        _worker(
            store_url,
            "work",
            "--worker",
            f"w{i}",
            "--go",
            str(go),
            "--ready",
            str(tmp_path / f"ready-{i}"),
            "--pause",
            "0.02",
        )
        for i in range(3)
    ]
    _start_together(procs, tmp_path, go)
    applied = [_finish(p)["applied"] for p in procs]
    assert sum(1 for a in applied if a > 0) >= 2, applied  # the work was really shared
    got, want = scenario.snapshot(svc), _serial(N_CASES)
    assert got["counts"]["inbox"] == 0
    for key in ("cases", "records", "outbox", "timers", "failed", "counts"):
        assert got[key] == want[key], key


def test_a_worker_killed_mid_batch_loses_nothing_and_duplicates_nothing(store_url, tmp_path):
    svc = scenario.service(store_url, upgrade=True)
    scenario.load(svc, N_CASES)
    marker = tmp_path / "inside-a-transaction"
    p = _worker(store_url, "work", "--slow", "0.02", "--marker", str(marker))
    deadline = time.time() + 120
    while time.time() < deadline:  # wait for some committed batches and an open transaction
        if svc.store.counts()["processed_events"] >= 20 and marker.exists():
            marker.unlink()
            time.sleep(0.03)
            if marker.exists():  # it is applying an event of an uncommitted batch right now
                break
        time.sleep(0.01)
    p.send_signal(signal.SIGKILL)
    p.communicate(timeout=60)
    assert p.returncode == -signal.SIGKILL
    mid = svc.store.counts()
    assert 0 < mid["inbox"] and mid["processed_events"] > 0  # killed half way
    _finish(_worker(store_url, "work"))  # restarted
    got, want = scenario.snapshot(svc), _serial(N_CASES)
    for key in ("cases", "records", "outbox", "timers", "failed", "counts"):
        assert got[key] == want[key], key


def test_two_workers_never_fire_the_same_timer(store_url, tmp_path):
    svc = scenario.service(store_url, upgrade=True)
    scenario.load(svc, N_CASES)
    svc.run_until_idle(now=T0)
    now = T0 + timedelta(days=2)
    # a sweep fires each case's earliest due mark (its next one waits for that one's event: issue 15)
    first: dict[str, object] = {}
    for t in svc.store.timers():  # by due time
        first.setdefault(t.case_id, t)
    due = {f"{t.key}@{t.due.isoformat()}" for t in first.values() if t.due <= now}
    assert len(due) >= N_CASES // 2
    go = tmp_path / "go"
    procs = [
        _worker(
            store_url,
            "timers",
            "--now",
            now.isoformat(),
            "--worker",
            f"t{i}",
            "--go",
            str(go),
            "--ready",
            str(tmp_path / f"ready-{i}"),
            "--pause",
            "0.01",
        )
        for i in range(2)
    ]
    _start_together(procs, tmp_path, go)
    a, b = (set(_finish(p)["fired"]) for p in procs)
    assert a and b and not a & b  # both fired some, never the same one
    assert a | b == due
    assert svc.store.counts()["fired_timers"] == len(due)
    assert svc.store.counts()["inbox"] == len(due)  # each fired timer queued its event once
