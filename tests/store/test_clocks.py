"""SLA deadlines are never lost (store/clocks.py): the invariant, catch-up after downtime, re-targeting,
new SLA policies, checked against the real stores (SQLite; PostgreSQL where the URL is set)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caseflow import Actor, Engine, FixedClock, Priority, WorkflowEvent, Workflows, load_policies
from caseflow.sla import SlaTracker, load_calendars
from caseflow.store import CaseService, open_store
from caseflow.testing import make_case
from tests.helpers import RULES

T0 = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)  # a Friday, 09:00 in Shanghai
INTAKE = Actor(id="intake", role="system")
AGENT = Actor(id="agent-1", role="tier1_agent")
CALENDARS = load_calendars(RULES / "sla" / "sla.calendars.yaml")


_PACKS: dict[tuple[str, ...], tuple[Workflows, SlaTracker]] = {}


def _service(url: str = "memory://", rules=(RULES, RULES / "sla")) -> CaseService:
    """A service on a new store; the policies, workflows and tracker of a pack are built once."""
    key = tuple(map(str, rules))
    if key not in _PACKS:
        engine = Engine(load_policies(list(rules)), clock=FixedClock(T0))
        _PACKS[key] = (Workflows(engine=engine), SlaTracker(engine, CALENDARS))
    flows, tracker = _PACKS[key]
    clock = FixedClock(T0)
    return CaseService(open_store(url, upgrade=True, clock=clock), flows, tracker=tracker, clock=clock)


def _open(svc: CaseService, spec: dict, i: int) -> str:
    case = make_case(id=f"C-{i}", created_at=(T0 + timedelta(minutes=i)).isoformat(), **spec)
    svc.open(case, actor=INTAKE, at=case.created_at)
    return case.id


def _outcome(svc: CaseService) -> dict:
    """What the SLA left: every mark (due time), and of every case the breaches, warnings, tier, states."""
    marks = sorted((m.mark_id, m.due.isoformat()) for m in svc.store.marks())
    cases = {c.id: (c.sla_breaches, c.sla_warnings, c.tier, c.priority.value, c.states) for c in svc.store.cases()}
    return {"marks": marks, "cases": cases}


def _live(svc: CaseService, until: datetime) -> None:
    """As if a worker swept every minute a mark fell due: the clock stops at each due time."""
    while True:
        due = [t.due for t in svc.store.timers() if t.due <= until]
        if not due:
            return
        svc.run_until_idle(now=min(due))


CASE_SPECS = st.fixed_dictionaries({
    "channel": st.sampled_from(["chat", "email", "in_app", "phone"]),
    "priority": st.sampled_from(["normal", "high", "urgent"]),
    "case_type": st.sampled_from(["inquiry", "order_status", "refund_only", "return_and_refund"]),
    "buyer": st.fixed_dictionaries({"id": st.just("b-1"), "region": st.sampled_from(["CN", "ID", "VN"]),
                                     "segment": st.sampled_from(["regular", "vip"])}),
    "request": st.none(),
})  # fmt: skip


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(CASE_SPECS, min_size=1, max_size=3), st.integers(min_value=0, max_value=3))
def test_catching_up_after_three_days_gives_what_running_live_gave(specs, triaged):
    """The same marks (each once, in due order), breaches, escalations and states, live or after downtime."""
    results = []
    for mode in ("live", "catch-up"):
        svc = _service()
        ids = [_open(svc, spec, i) for i, spec in enumerate(specs)]
        for cid in ids[:triaged]:  # some cases get an agent's first touch before the downtime
            if "triage" in svc.workflows.allowed(svc.store.get_case(cid)).get("tier1", []):
                svc.handle(
                    cid, WorkflowEvent(id=f"{cid}:t", trigger="triage", actor=AGENT, at=T0 + timedelta(minutes=5))
                )
        end = T0 + timedelta(days=3)
        if mode == "live":
            _live(svc, end)
        else:
            svc.run_until_idle(now=end)
        assert svc.check_timers() == []  # the invariant holds after either
        results.append(_outcome(svc))
    assert results[0] == results[1]
    assert results[0]["marks"]  # something fell due


def test_a_late_sweep_fires_every_missed_mark_once_in_due_order_with_due_and_noticed_times():
    svc = _service()
    cid = _open(svc, {"channel": "chat", "priority": "urgent", "request": None, "case_type": "inquiry"}, 0)
    late = T0 + timedelta(days=3)
    svc.clock.set(late)
    svc.run_until_idle(now=late)
    marks = [m for m in svc.store.marks() if m.case_id == cid]
    dues = [m.due for m in marks]
    assert dues == sorted(dues) and len({m.mark_id for m in marks}) == len(marks)
    resolution = [
        m.mark_id.rsplit(":", 2)[-2] + ":" + m.mark_id.rsplit(":", 1)[-1] for m in marks if ":resolution:" in m.mark_id
    ]
    # urgent: warnings at 50/75/90 %, the breach at 4h, a level more every 2h
    assert resolution[:5] == ["warning:50", "warning:75", "warning:90", "breach:1", "breach:2"]
    assert all(m.noticed_at == late and m.due < late for m in marks)
    case = svc.store.get_case(cid)
    assert case.sla_breaches["resolution"] >= 2 and case.tier == 2  # breach level 2 escalated, as live


def test_raising_the_priority_retargets_the_running_clock_and_the_audit_says_why():
    svc = _service()
    cid = _open(svc, {"channel": "email", "priority": "normal", "request": None, "case_type": "inquiry"}, 0)
    before = {(r.metric, r.rule, r.target_s) for _, r in svc.store.sla_clocks() if r.metric == "resolution"}
    assert before == {("resolution", "sla-resolution/standard", 5 * 86400.0)}
    # a supervisor makes it urgent: the resolution target is chosen again, from the clock's start
    svc.handle(cid, WorkflowEvent(id="up", trigger="evaluate", actor=INTAKE, at=T0 + timedelta(hours=1)))
    store_case = svc.store.get_case(cid)
    urgent = store_case.model_copy(update={"priority": Priority.urgent})
    with svc.store.transaction() as tx:  # an app that sets the priority through its own event would do the same
        tx.update_case(urgent, store_case.version)
    svc.handle(cid, WorkflowEvent(id="again", trigger="evaluate", actor=INTAKE, at=T0 + timedelta(hours=2)))
    after = {(r.metric, r.rule, r.target_s) for _, r in svc.store.sla_clocks() if r.metric == "resolution"}
    assert after == {("resolution", "sla-resolution/urgent", 4 * 3600.0)}
    timer = next(t for t in svc.store.timers() if t.key == f"{cid}/resolution/platform")
    assert timer.due == T0 + timedelta(hours=2)  # 50 % of 4h from the clock's start, not from now
    note = next(r for r in svc.store.records(cid) if r.kind == "sla_retarget")
    assert "resolution (platform): target 5 days, 0:00:00 by sla-resolution/standard" in note.reason
    assert "-> 4:00:00 by sla-resolution/urgent" in note.reason and "case.priority 'normal' -> 'urgent'" in note.reason


def test_new_sla_policies_recompute_pending_timers_before_any_fires(tmp_path):
    url = f"sqlite:///{tmp_path}/cases.db"
    old = _service(url)
    cid = _open(old, {"channel": "email", "priority": "normal", "request": None, "case_type": "inquiry"}, 0)
    first = {t.key: t.due for t in old.store.timers()}
    # the resolution target of the new version is 2 days, not 5
    sla = tmp_path / "sla"
    sla.mkdir()
    for f in (RULES / "sla").glob("*.yaml"):
        text = f.read_text().replace('version: "2026.11.0"', 'version: "2026.12.0"')
        (sla / f.name).write_text(text.replace("within: 5d", "within: 2d"))
    new = _service(url, rules=(RULES, sla))
    assert new.tracker.version != old.tracker.version
    new.fire_timers(now=T0 + timedelta(days=10))  # nothing fires under the old version's times
    assert not new.store.marks()
    moved = {t.key: t.due for t in new.store.timers()}
    assert moved[f"{cid}/resolution/platform"] < first[f"{cid}/resolution/platform"]
    notes = [r.reason or "" for r in new.store.records(cid) if r.kind == "sla_recompute"]
    assert any("timers recomputed for" in n and "resolution/platform warning:75" in n for n in notes), notes
    assert any("by sla-resolution/standard" in n and "because the SLA policies changed" in n for n in notes), "\n".join(
        notes
    )
    assert new.check_timers() == []


def test_a_failed_deadline_event_still_leaves_the_clock_its_next_timer():
    svc = _service()
    cid = _open(svc, {"channel": "chat", "priority": "urgent", "request": None, "case_type": "inquiry"}, 0)
    with svc.store.transaction() as tx:  # lose the timers, as a crash between two releases could have
        tx.replace_timers(cid, [])
    problems = svc.check_timers()
    assert {p.problem for p in problems} == {"missing"} and all(p.case_id == cid for p in problems)
    assert svc.check_timers(repair=True) and svc.check_timers() == []


def test_waiting_on_the_customer_reminds_after_a_day_then_closes_after_three_unless_they_answer():
    svc = _service()
    quiet, answers = (_open(svc, {"channel": "email", "request": None, "case_type": "inquiry"}, i) for i in (0, 1))
    for cid in (quiet, answers):
        for n, trig in enumerate(["triage", "start_work", "ask_customer"]):
            at = T0 + timedelta(minutes=10 + n)
            svc.handle(cid, WorkflowEvent(id=f"{cid}:{n}", trigger=trig, actor=AGENT, at=at))
    asked = T0 + timedelta(minutes=12)
    svc.run_until_idle(now=asked + timedelta(hours=25))
    replies = {m.case_id for m in svc.store.outbox() if m.kind == "reply.send" and "awaiting" in str(m.payload)}
    assert replies == {quiet, answers}  # each was reminded after a day
    buyer = Actor(id="b-1", role="buyer")
    svc.handle(
        answers, WorkflowEvent(id="reply", trigger="customer_replied", actor=buyer, at=asked + timedelta(hours=30))
    )
    svc.run_until_idle(now=asked + timedelta(hours=80))
    assert svc.store.get_case(quiet).states["tier1"] == "closed"  # 72 hours of silence
    assert svc.store.get_case(answers).states["tier1"] != "closed"  # the customer answered in time
    closing = next(r for r in svc.store.records(quiet) if r.trigger == "close_unanswered")
    assert closing.at == asked + timedelta(hours=72)  # at the deadline itself, not when the sweep ran


MILESTONES = """
policy: milestones
version: "1"
hit_policy: all
rules:
  - id: targets
    when: always
    then:
      - sla_target: {metric: first_touch, within: 10m, calendar: always, start: opened, warn_at: [50],
                     stop_in: ["tier1:in_progress", "tier1:cancelled"], on_met: evaluate}
      - sla_target: {metric: solved, within: 2h, calendar: always, start: opened, warn_at: [],
                     stop_in: ["tier1:resolved"], on_met: {workflow: tier1, trigger: close}}
  - id: first-touch-met
    description: Answered in time - no more reminders, the case says so.
    when: sla.met contains first_touch
    then:
      - add_tag: {tag: first-touch-met}
  - id: remind
    when:
      all:
        - sla.warned contains first_touch
        - not: sla.met contains first_touch
    then:
      - notify: {target: supervisor, template: first-touch-reminder}
"""


def _milestones(tmp_path) -> CaseService:
    (tmp_path / "milestones.yaml").write_text(MILESTONES, encoding="utf-8")
    return _service(rules=(RULES, tmp_path))


def test_a_target_met_in_time_reacts_once_in_yaml_and_a_late_one_does_not(tmp_path):
    """Milestone reactions: ``on_met: evaluate`` asks the policies with ``sla.met``; ``on_met: {workflow,
    trigger}`` fires the trigger; each once, at the instant the target was met, even when noticed late."""
    svc = _milestones(tmp_path)
    quick, slow = (_open(svc, {"channel": "email", "request": None, "case_type": "inquiry"}, i) for i in (0, 1))
    for cid, minutes in ((quick, 3), (slow, 30)):  # the slow one is first touched after its 10 minutes
        for n, trig in enumerate(["triage", "start_work"]):
            at = T0 + timedelta(minutes=minutes + n)
            svc.handle(cid, WorkflowEvent(id=f"{cid}:{n}", trigger=trig, actor=AGENT, at=at))
    svc.handle(quick, WorkflowEvent(id="done", trigger="resolve", actor=AGENT, at=T0 + timedelta(minutes=50),
                                    data={"resolution": "answered"}))  # fmt: skip
    late = T0 + timedelta(hours=5)  # nobody swept in between
    svc.clock.set(late)
    svc.run_until_idle(now=late)
    svc.run_until_idle(now=late)  # a second sweep finds nothing more
    q, s = svc.store.get_case(quick), svc.store.get_case(slow)
    assert q.sla_met == {"first_touch": 1, "solved": 1} and "first-touch-met" in q.tags
    assert q.states["tier1"] == "closed"  # resolved within 2h: on_met closed it
    assert s.sla_met == {} and "first-touch-met" not in s.tags
    assert s.sla_breaches == {"first_touch": 1, "solved": 1}  # never resolved: its 2 hours passed too
    # the slow case's clock stopped at minute 31, after its reminder and breach fell due unswept: both fire
    first_touch = sorted((m.due, m.mark_id.split(":", 5)[-1]) for m in svc.store.marks()
                         if m.case_id == slow and ":first_touch:" in m.mark_id)  # fmt: skip
    assert first_touch == [(T0 + timedelta(minutes=6), "warning:50"), (T0 + timedelta(minutes=11), "breach:1")]
    met = {m.mark_id.split(":")[2]: m for m in svc.store.marks() if m.mark_id.endswith(":met")}
    assert set(met) == {"first_touch", "solved"} and all(m.case_id == quick for m in met.values())
    assert met["first_touch"].due == T0 + timedelta(minutes=4)  # when start_work stopped the clock
    assert met["solved"].due == T0 + timedelta(minutes=50) and met["solved"].noticed_at == late
    closing = next(r for r in svc.store.records(quick) if r.trigger == "close")
    assert closing.at == T0 + timedelta(minutes=50) and "solved: target met" in closing.reason
    reminders = [m.case_id for m in svc.store.outbox() if m.kind == "notify.send" and "first-touch" in str(m.payload)]
    assert reminders == [slow]  # the quick case's clock stopped before its 50 % reminder
    assert svc.check_timers() == []


@contextmanager
def _fresh_schema(pg_url: str) -> Iterator[str]:
    """A new schema on the test server for one hypothesis example, dropped after it."""
    import uuid
    from urllib.parse import quote

    import psycopg

    base = pg_url.split("?")[0]
    name = f"cf_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as c:
        c.execute(f"CREATE SCHEMA {name}")
    try:
        yield f"{base}?options={quote(f'-csearch_path={name}')}"
    finally:
        with psycopg.connect(base, autocommit=True) as c:
            c.execute(f"DROP SCHEMA {name} CASCADE")


@settings(
    max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(workers=st.integers(min_value=2, max_value=4), die_at=st.integers(min_value=1, max_value=15))
def test_several_workers_and_a_crash_keep_the_invariant_and_end_as_one_process_would(pg_url, workers, die_at):
    """2-4 worker processes on PostgreSQL apply events and fire timers three days late; one of them dies
    in the middle of a transaction at a random step and a fresh one finishes. Every running clock then
    has exactly its one timer, and marks, cases and records are those of one process catching up."""
    n_cases = 12
    with _fresh_schema(pg_url) as schema:  # each example its own: the fixture's lives as long as the test
        _several_workers(schema, n_cases, workers, die_at)


def _several_workers(schema: str, n_cases: int, workers: int, die_at: int) -> None:
    import subprocess
    import sys

    from tests.helpers import ROOT
    from tests.store import scenario

    from .test_service import _finish

    svc = scenario.service(schema, upgrade=True)
    scenario.load(svc, n_cases)  # the cases' events, interleaved, some refused, some redelivered
    late = scenario.T0 + timedelta(days=3)

    def worker(*args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.store.scenario", schema, "sweep", "--now", late.isoformat(), *args],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    procs = [worker("--worker", f"w{i}", *(["--die-at", str(die_at)] if i == 0 else [])) for i in range(workers)]
    for i, p in enumerate(procs):
        out, err = p.communicate(timeout=300)
        assert p.returncode in ((0, 9) if i == 0 else (0,)), err[-2000:]
    _finish(worker("--worker", "after"))  # whatever the crash left is finished by a fresh worker
    assert svc.check_timers() == []  # the invariant
    ref = scenario.service("memory://")
    scenario.load(ref, n_cases)
    ref.run_until_idle(now=late)
    got, want = scenario.snapshot(svc), scenario.snapshot(ref)
    for key in ("cases", "records", "outbox", "timers", "failed"):
        assert got[key] == want[key], key
    assert sorted((m.mark_id, m.due) for m in svc.store.marks()) == sorted(
        (m.mark_id, m.due) for m in ref.store.marks()
    )
