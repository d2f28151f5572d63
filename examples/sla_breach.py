"""A chat case from Jakarta opened on a Friday evening before a public holiday (Independence Day,
Monday 17 August 2026): paused while awaiting the customer, resumed, then warned, breached and
escalated - step by step, in simulated time.

Run from the repository root:  python examples/sla_breach.py
"""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from caseflow import Actor, Engine, FixedClock, WorkflowEvent, Workflows, load_policies
from caseflow.sla import SlaTracker, load_calendars
from caseflow.sla.timers import TimerQueue
from caseflow.testing import make_case

RULES = Path(__file__).resolve().parent.parent / "rules"
JKT = ZoneInfo("Asia/Jakarta")


def main() -> None:
    clock = FixedClock(datetime(2026, 8, 14, 19, 45, tzinfo=JKT))
    engine = Engine(load_policies([RULES, RULES / "sla"]), clock=clock)  # the main pack and the SLA pack
    flows = Workflows(engine=engine)
    tracker = SlaTracker(engine, load_calendars(RULES / "sla" / "sla.calendars.yaml"))
    queue = TimerQueue()
    case = make_case(
        id="CS-JKT-0817",
        channel="chat",
        case_type="order_status",
        request=None,
        buyer={"id": "buyer-jkt", "region": "ID", "language": "id"},
        created_at=clock.now().isoformat(),
    )
    agent = Actor(id="agent-sari", role="tier1_agent")
    out = flows.open(case, actor=Actor(id="intake", role="system"), at=clock.now())
    case, records = out.case, list(out.records)

    def show(what: str) -> None:
        print(f"\n{clock.now():%a %d %b %H:%M} Jakarta  {what}")
        print(f"  states {case.states}  priority {case.priority.value}  tier {case.tier}")
        for tc in tracker.clocks(case, records):
            st = tc.status(clock.now())
            due = f"due {st.due_at.astimezone(JKT):%a %d %b %H:%M}" if st.due_at else st.state
            pauses = "; ".join(
                f"paused {p.start.astimezone(JKT):%a %H:%M}-{p.end.astimezone(JKT):%a %H:%M}"
                if p.end
                else f"paused since {p.start.astimezone(JKT):%a %H:%M}"
                for p in tc.clock.pauses
            )
            print(
                f"  {st.metric:<15} {st.elapsed_seconds / 60:6.0f} of {st.target_seconds / 60:.0f} business min "
                f"({st.percent:5.1f} %)  {due}  warnings {list(st.warnings)}  breach level {st.breach_level}"
                + (f"  [{pauses}]" if pauses else "")
            )

    def act(n: int, trigger: str, when: datetime, actor: Actor = agent) -> None:
        nonlocal case
        run_timers(until=when)
        clock.set(when)
        result = flows.handle(case, WorkflowEvent(id=f"ev{n}", trigger=trigger, actor=actor, at=when))
        case = result.case
        records.extend(result.records)
        tracker.schedule(queue, case, records, clock.now())
        show(f"{actor.id}: {trigger}")

    def run_timers(until: datetime) -> None:
        nonlocal case
        while (nxt := queue.peek()) is not None and nxt <= until:
            clock.set(nxt)
            for timer in queue.due(clock.now()):
                result = flows.handle(case, tracker.event_for(timer))
                case = result.case
                records.extend(result.records)
                acted = sorted(
                    {rid for r in result.records for rid in r.rule_ids if rid.startswith("sla-breach-actions/")}
                )
                show(
                    f"timer: {timer.get('metric')} {timer.get('mark').replace(':', ' ')}"
                    + (f" -> {', '.join(acted)}" if acted else "")
                )
            tracker.schedule(queue, case, records, clock.now())

    tracker.schedule(queue, case, records, clock.now())
    show("chat opened: first response due in 30 business minutes, resolution in 4 hours (Jakarta hours)")
    act(1, "triage", datetime(2026, 8, 14, 19, 50, tzinfo=JKT))
    act(2, "start_work", datetime(2026, 8, 14, 19, 55, tzinfo=JKT))
    act(3, "ask_customer", datetime(2026, 8, 14, 19, 58, tzinfo=JKT))
    act(4, "customer_replied", datetime(2026, 8, 15, 10, 0, tzinfo=JKT), Actor(id="buyer-jkt", role="buyer"))
    run_timers(until=datetime(2026, 8, 18, 12, 0, tzinfo=JKT))
    print(
        f"\n{len(records)} audit records; the case went to tier 2 after the second breach level: "
        f"{case.states.get('tier2') == 'escalated'}"
    )


if __name__ == "__main__":
    main()
