"""The SLA tracker: targets from policies, clocks from audit records, timers that fire workflow events."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from caseflow import Actor, Engine, FixedClock, PolicyValidationError, WorkflowEvent, Workflows, load_policies
from caseflow.sla import SlaTracker, load_calendars
from caseflow.sla.timers import TimerQueue
from caseflow.testing import make_case
from tests.helpers import RULES

from .helpers import SH, H


@pytest.fixture(scope="module")
def setup():
    engine = Engine(load_policies([RULES, RULES / "sla"]), clock=FixedClock("2026-11-20T10:00:00+08:00"))
    return Workflows(engine=engine), SlaTracker(engine, load_calendars(RULES / "sla" / "sla.calendars.yaml"))


def run_until(flows, tracker, case, records, until):
    queue = TimerQueue()
    tracker.schedule(queue, case, records, records[-1].at)
    while (nxt := queue.peek()) is not None and nxt <= until:
        for timer in queue.due(nxt):
            out = flows.handle(case, tracker.event_for(timer))
            case, records = out.case, records + out.records
        tracker.schedule(queue, case, records, nxt)
    return case, records


def test_seller_silent_48_hours_approves_the_return_request(setup):
    flows, tracker = setup
    t0 = datetime(2026, 11, 20, 10, tzinfo=SH)
    case = make_case(
        case_type="return_and_refund",
        request={"kind": "return_and_refund", "amount": "100 CNY", "reason": "damaged"},
        created_at=t0.isoformat(),
    )
    out = flows.open(case, actor=Actor(id="i", role="system"), at=t0)
    assert out.case.states["return_and_refund"] == "requested"  # no policy approved it at once
    case, records = run_until(flows, tracker, out.case, list(out.records), t0 + timedelta(hours=47, minutes=59))
    assert case.states["return_and_refund"] == "requested"
    case, records = run_until(flows, tracker, case, records, t0 + timedelta(hours=48))
    assert case.states["return_and_refund"] == "approved"
    approve = [r for r in records if r.trigger == "approve"][0]
    assert approve.at == t0 + timedelta(hours=48) and "seller_response" in approve.reason


def test_the_buyer_has_7_days_to_ship_the_return(setup):
    flows, tracker = setup
    t0 = datetime(2026, 11, 20, 10, tzinfo=SH)
    case = make_case(
        case_type="return_and_refund",
        created_at=t0.isoformat(),
        request={"kind": "return_and_refund", "amount": "100 CNY", "reason": "damaged"},
    )
    out = flows.open(case, actor=Actor(id="i", role="system"), at=t0)
    case, records = out.case, list(out.records)
    for i, trig in enumerate(["approve", "send_return_label"]):
        o = flows.handle(
            case,
            WorkflowEvent(id=f"e{i}", trigger=trig, actor=Actor(id="s", role="seller"), at=t0 + timedelta(hours=1)),
        )
        case, records = o.case, records + o.records
    case, records = run_until(flows, tracker, case, records, t0 + timedelta(days=8))
    assert case.states["return_and_refund"] == "lapsed"
    lapse = [r for r in records if r.trigger == "lapse"][0]
    assert lapse.at == t0 + timedelta(hours=1, days=7)


def test_recalculation_after_a_policy_change_uses_the_recorded_history(setup, tmp_path):
    flows, tracker = setup
    t0 = datetime(2026, 11, 20, 10, tzinfo=SH)
    out = flows.open(make_case(channel="email", created_at=t0.isoformat()), actor=Actor(id="i", role="system"), at=t0)
    before = {tc.clock.metric: tc.clock.target_seconds for tc in tracker.clocks(out.case, list(out.records))}
    assert before["first_response"] == 8 * H
    changed = (RULES / "sla" / "first_response.yaml").read_text().replace("within: 8h", "within: 4h")
    (tmp_path / "first_response.yaml").write_text(changed)
    engine2 = Engine(load_policies([tmp_path / "first_response.yaml"]), clock=FixedClock(t0))
    tracker2 = SlaTracker(engine2, tracker.calendars)
    after = {tc.clock.metric: tc.clock.target_seconds for tc in tracker2.clocks(out.case, list(out.records))}
    assert after == {"first_response": 4 * H}


def test_unknown_calendar_is_a_clear_error(setup, tmp_path):
    _, tracker = setup
    text = (RULES / "sla" / "first_response.yaml").read_text().replace("calendar: cn-business", "calendar: cn-busines")
    (tmp_path / "fr.yaml").write_text(text)
    with pytest.raises(PolicyValidationError, match="unknown calendar 'cn-busines'"):
        SlaTracker(Engine(load_policies([tmp_path / "fr.yaml"])), tracker.calendars)


def test_next_response_is_a_new_cycle_after_each_customer_reply(setup):
    flows, tracker = setup
    t0 = datetime(2026, 11, 20, 10, tzinfo=SH)
    out = flows.open(
        make_case(channel="chat", case_type="inquiry", request=None, created_at=t0.isoformat()),
        actor=Actor(id="i", role="system"),
        at=t0,
    )
    case, records = out.case, list(out.records)
    agent, buyer = Actor(id="a", role="tier1_agent"), Actor(id="b", role="buyer")
    steps = [
        ("triage", agent, 1),
        ("start_work", agent, 2),
        ("ask_customer", agent, 3),
        ("customer_replied", buyer, 30),
        ("ask_customer", agent, 40),  # answered in 10 min: met
        ("customer_replied", buyer, 60),
    ]  # then nobody answers
    for i, (trig, actor, minutes) in enumerate(steps):
        o = flows.handle(case, WorkflowEvent(id=f"e{i}", trigger=trig, actor=actor, at=t0 + timedelta(minutes=minutes)))
        case, records = o.case, records + o.records
    nr = next(tc for tc in tracker.clocks(case, records) if tc.clock.metric == "next_response")
    assert len(nr.history) == 1 and nr.history[0].elapsed(t0 + timedelta(hours=5)) == 10 * 60
    assert nr.history[0].status(t0 + timedelta(hours=5)).breach_level == 0
    assert nr.clock.started_at == t0 + timedelta(minutes=60)
    assert nr.clock.due_at() == t0 + timedelta(minutes=75)
    case, records = run_until(flows, tracker, case, records, t0 + timedelta(minutes=76))
    assert case.sla_breaches.get("next_response") == 1 and "sla:breached" in case.tags


def test_periodic_update_restarts_on_every_update(setup):
    flows, tracker = setup
    t0 = datetime(2026, 11, 20, 10, tzinfo=SH)
    out = flows.open(
        make_case(channel="email", case_type="inquiry", request=None, created_at=t0.isoformat()),
        actor=Actor(id="i", role="system"),
        at=t0,
    )
    case, records = out.case, list(out.records)
    agent = Actor(id="a", role="tier1_agent")
    for i, (trig, hours_) in enumerate(
        [("triage", 1), ("start_work", 2), ("ask_internal", 3), ("internal_replied", 20)]
    ):
        o = flows.handle(case, WorkflowEvent(id=f"e{i}", trigger=trig, actor=agent, at=t0 + timedelta(hours=hours_)))
        case, records = o.case, records + o.records
    pu = next(tc for tc in tracker.clocks(case, records) if tc.clock.metric == "periodic_update")
    assert len(pu.history) == 1 and pu.history[0].stopped_at == t0 + timedelta(hours=20)
    assert pu.clock.started_at == t0 + timedelta(hours=20) and pu.clock.due_at() == t0 + timedelta(hours=44)


def test_a_deadline_set_by_an_outside_platform_is_the_due_time(setup):
    flows, tracker = setup
    t0 = datetime(2026, 11, 20, 10, tzinfo=SH)
    case = make_case(
        channel="email",
        case_type="inquiry",
        request=None,
        created_at=t0.isoformat(),
        deadlines={"platform_response": (t0 + timedelta(hours=3, minutes=7)).isoformat()},
    )
    out = flows.open(case, actor=Actor(id="i", role="system"), at=t0)
    pr = next(tc for tc in tracker.clocks(out.case, list(out.records)) if tc.clock.metric == "platform_response")
    assert pr.clock.due_at() == t0 + timedelta(hours=3, minutes=7)
    assert "platform_response" not in {
        tc.clock.metric
        for tc in tracker.clocks(
            flows.open(
                make_case(id="other", created_at=t0.isoformat()), actor=Actor(id="i", role="system"), at=t0
            ).case,
            list(
                flows.open(
                    make_case(id="other", created_at=t0.isoformat()), actor=Actor(id="i", role="system"), at=t0
                ).records
            ),
        )
    }


def test_a_breach_escalates_level_by_level(setup):
    flows, tracker = setup
    t0 = datetime(2026, 11, 20, 10, tzinfo=SH)
    out = flows.open(
        make_case(priority="urgent", case_type="inquiry", request=None, created_at=t0.isoformat()),
        actor=Actor(id="i", role="system"),
        at=t0,
    )
    case, records = out.case, list(out.records)
    o = flows.handle(case, WorkflowEvent(id="t", trigger="triage", actor=Actor(id="a", role="tier1_agent"), at=t0))
    case, records = o.case, records + o.records
    # urgent: resolution within 4h, warnings at 50/75/90 %, one more level every 2h
    case, records = run_until(flows, tracker, case, records, t0 + timedelta(hours=3, minutes=59))
    assert case.sla_warnings["resolution"] == 90 and "resolution" not in case.sla_breaches and case.tier == 1
    case, records = run_until(flows, tracker, case, records, t0 + timedelta(hours=4))
    assert case.sla_breaches["resolution"] == 1 and case.tier == 1
    case, records = run_until(flows, tracker, case, records, t0 + timedelta(hours=6))
    assert case.sla_breaches["resolution"] == 2 and case.tier == 2 and case.states["tier2"] == "escalated"
    handoff = next(r for r in records if r.trigger == "handoff_to_tier2")
    assert handoff.at == t0 + timedelta(hours=6) and "sla-breach-actions/breach-level-2" in handoff.reason


JAYAPURA = "Asia/Jayapura"  # Indonesia's eastern zone, UTC+9 (Jakarta is UTC+7)


def _touch(flows, case, records, steps, t0):
    for i, (trig, role, minutes) in enumerate(steps):
        actor = Actor(id=role, role=role)
        ev = WorkflowEvent(id=f"t{i}", trigger=trig, actor=actor, at=t0 + timedelta(minutes=minutes))
        out = flows.handle(case, ev)
        case, records = out.case, records + out.records
    return case, records


def _clock_of(tracker, case, records, metric):
    return next(tc for tc in tracker.clocks(case, records) if tc.clock.metric == metric)


@pytest.mark.parametrize(("zone", "due"), [
    (JAYAPURA, "2026-12-26T09:20:00+09:00"),  # 10 min on Thursday, Christmas closed, 20 min on Saturday
    (None, "2026-12-24T18:20:00+07:00"),  # no zone given: Jakarta's hours, the same evening
])  # fmt: skip
def test_an_indonesian_customers_first_response_counts_in_their_time_zone_and_holidays(setup, zone, due):
    """Calendars follow the case: the pack's Indonesian chat target reads the buyer's ``timezone``
    (``timezone: buyer``) with Indonesia's holidays; without one, the calendar's own zone."""
    flows, tracker = setup
    t0 = datetime.fromisoformat("2026-12-24T19:50:00+09:00")  # Thursday evening in Jayapura
    buyer = {"id": "b-1", "region": "ID", "timezone": zone}
    case = make_case(channel="chat", case_type="inquiry", request=None, buyer=buyer, created_at=t0.isoformat())
    out = flows.open(case, actor=Actor(id="i", role="system"), at=t0)
    fr = _clock_of(tracker, out.case, list(out.records), "first_response")
    assert fr.rule == "sla-first-response/indonesia-chat"
    assert fr.clock.due_at() == datetime.fromisoformat(due)
    assert fr.calendar == ("id-chat@Asia/Jayapura" if zone else "id-chat")


def test_an_indonesian_shops_next_response_is_timed_in_its_hours_not_shanghais(setup):
    """An Indonesian shop (``seller.region: ID``) answers chat in its own zone with Indonesian holidays."""
    flows, tracker = setup
    t0 = datetime.fromisoformat("2026-12-24T19:00:00+09:00")
    seller = {"id": "s-1", "region": "ID", "timezone": JAYAPURA}
    case = make_case(channel="chat", case_type="inquiry", request=None, seller=seller, created_at=t0.isoformat())
    out = flows.open(case, actor=Actor(id="i", role="system"), at=t0)
    steps = [("triage", "tier1_agent", 1), ("start_work", "tier1_agent", 2), ("ask_customer", "tier1_agent", 3),
             ("customer_replied", "buyer", 55)]  # fmt: skip
    case, records = _touch(flows, out.case, list(out.records), steps, t0)
    nr = _clock_of(tracker, case, records, "next_response")
    assert nr.rule == "sla-next-response/indonesian-shop-chat" and nr.calendar == "id-chat@Asia/Jayapura"
    # replied at 19:55: 5 minutes before 20:00, Christmas is closed, 10 minutes on Saturday morning
    assert nr.clock.due_at() == datetime.fromisoformat("2026-12-26T09:10:00+09:00")
    shanghai = make_case(channel="chat", case_type="inquiry", request=None, created_at=t0.isoformat())
    out = flows.open(shanghai, actor=Actor(id="i", role="system"), at=t0)
    case, records = _touch(flows, out.case, list(out.records), steps, t0)
    assert _clock_of(tracker, case, records, "next_response").clock.due_at() == t0 + timedelta(minutes=70)


def test_a_time_zone_that_does_not_exist_is_refused_by_name():
    from caseflow import CaseDataError

    with pytest.raises(CaseDataError) as e:
        make_case(buyer={"id": "b", "timezone": "Asia/Atlantis"})
    assert "buyer.timezone" in str(e.value) and "IANA time zone" in str(e.value)
