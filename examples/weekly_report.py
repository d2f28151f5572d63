"""Six weeks of a marketplace's cases in a store, then the weekly report a tier-2 lead reads.

Generated cases arrive day by day; agents pick them up, some late (SLA timers fire and
breach), resolve them (wrong-item cases with the warehouse's root cause), the policies
escalate the risky ones and approve refunds that leave through the outbox - all in simulated
time. Then: ``caseflow report --store URL --period weekly`` as a table, a trend chart, a page to
read in a browser, and what a relaxed SLA target would have changed over the same history
(``caseflow simulate --store URL``).

Run from the repository root:  python examples/weekly_report.py [--chart weekly.svg] [--html weekly.html]
(the chart and the page need matplotlib: pip install -e ".[report]")
"""

import argparse
import random
import shutil
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from caseflow import (
    Actor,
    CaseService,
    Engine,
    FixedClock,
    TransitionRefused,
    WorkflowEvent,
    Workflows,
    load_policies,
    open_store,
    parse_case,
)
from caseflow.sla import SlaTracker, load_calendars
from caseflow.tools.generate import generate_cases
from caseflow.tools.report import build_report
from caseflow.tools.simulate import simulate_store

RULES = Path(__file__).resolve().parent.parent / "rules"
START = datetime(2026, 9, 28, 0, 0, tzinfo=UTC)  # a Monday
DAYS = 42  # six weeks
END = START + timedelta(days=DAYS)
CAUSES = ["picking_error", "picking_error", "label_swap", "supplier_packing"]
AGENT, SPECIALIST = Actor(id="agent-1", role="tier1_agent"), Actor(id="specialist-1", role="tier2_specialist")
SUPERVISOR = Actor(id="supervisor-1", role="supervisor")
WORK = [
    ("investigate", SPECIALIST),
    ("propose_resolution", SPECIALIST),
    ("resolve", SPECIALIST),
    ("close", SPECIALIST),
    ("triage", AGENT),
    ("start_work", AGENT),
    ("resolve", AGENT),
    ("close", AGENT),
]  # what agents do next


def timeline(rnd: random.Random) -> list[tuple[datetime, str, object]]:
    """What happens, in time order: six weeks of cases, 6 to 12 a day, each worked after a delay."""
    steps: list[tuple[datetime, str, object]] = []
    for day in range(DAYS):
        now = START + timedelta(days=day, hours=23)
        for data in generate_cases(rnd.randint(6, 12), seed=1000 + day, now=now):
            case = parse_case(data)
            steps.append((case.created_at, "open", case))
            t = case.created_at + timedelta(minutes=rnd.choice([5, 20, 45, 240, 900]))  # sometimes late
            for k in range(rnd.choice([2, 8, 8, 8])):  # some cases are left unfinished
                steps.append((t + timedelta(minutes=40 * k), "work", case.id))
    steps.sort(key=lambda s: s[0])
    return steps


def next_step(svc: CaseService, case) -> tuple[str, str, Actor] | None:
    """The next step the case allows, tier 1 or tier 2 (where the policies sent it): (workflow, trigger, actor)."""
    allowed = svc.workflows.allowed(case)
    return next(
        ((wf, trig, actor) for trig, actor in WORK for wf in ("tier2", "tier1") if trig in allowed.get(wf, [])),
        None,
    )


def work_on(svc: CaseService, case, at: datetime, rnd: random.Random) -> bool:
    """An agent takes the case's next step; True when tier 1 was refused and a supervisor took it instead."""
    step = next_step(svc, case)
    if step is None:
        return False
    wf, trig, actor = step
    data = {"root_cause": rnd.choice(CAUSES), "kb_summary": "kb-" + trig} if trig == "resolve" else {}
    try:
        svc.handle(
            case.id,
            WorkflowEvent(id=f"{case.id}:{at.isoformat()}", trigger=trig, workflow=wf, actor=actor, at=at, data=data),
        )
    except TransitionRefused:  # a refund above the tier-1 limit: a supervisor approves it
        svc.handle(
            case.id,
            WorkflowEvent(
                id=f"{case.id}:{at.isoformat()}:sv",
                trigger=trig,
                workflow=wf,
                actor=SUPERVISOR,
                at=at,
                data=data,
            ),
        )
        return True
    return False


def replay(svc: CaseService, clock: FixedClock, steps: list[tuple[datetime, str, object]], rnd: random.Random) -> int:
    """Play the six weeks through the case service in simulated time; returns the steps a supervisor took over."""
    intake = Actor(id="intake", role="system")
    skipped = 0
    for at, kind, what in steps:
        clock.set(at)
        svc.run_until_idle(now=at)  # the timers due by now fire first (SLA warnings, breaches)
        if kind == "open":
            svc.open(what, actor=intake)
        elif work_on(svc, svc.store.get_case(what), at, rnd):
            skipped += 1
    clock.set(END)
    svc.run_until_idle(now=END)
    svc.relay(lambda message: None)  # the payment system receives the refunds
    return skipped


def relaxed_what_if(url: str, tmp: str):
    """What if chat's first-response target had been one hour instead of five minutes?

    The same six weeks of history, the clocks rebuilt from the audit records under both targets.
    """
    relaxed = Path(tmp) / "sla-relaxed"
    shutil.copytree(RULES / "sla", relaxed)
    fr = relaxed / "first_response.yaml"
    fr.write_text(fr.read_text(encoding="utf-8").replace("within: 5m,", "within: 1h,"), encoding="utf-8")
    return simulate_store(url, [RULES / "sla"], [relaxed], at=END, workers=1)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chart", help="write the trend chart to this SVG file")
    ap.add_argument("--html", help="write the report as one HTML page (tables and charts) to this file")
    args = ap.parse_args(argv)
    chart, page = args.chart, args.html
    clock = FixedClock(START)
    engine = Engine(load_policies([RULES, RULES / "sla"]), clock=clock, backend="python")
    tracker = SlaTracker(engine, load_calendars(RULES / "sla" / "sla.calendars.yaml"))
    rnd = random.Random(5)
    steps = timeline(rnd)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/marketplace.db"
        with open_store(url, upgrade=True, clock=clock) as store:
            svc = CaseService(store, Workflows(engine=engine), tracker=tracker, clock=clock)
            skipped = replay(svc, clock, steps, rnd)
            report = build_report(
                store.cases(), store.outbox(), period="weekly", tz="Asia/Shanghai", clocks=store.sla_clocks()
            )
            counts = store.counts()
        what_if = relaxed_what_if(url, tmp)
    print(
        f"{counts['cases']} cases, {counts['audit_records']} audit records, {counts['outbox']} outbox messages, "
        f"{counts['fired_timers']} timers fired; {skipped} steps refused to tier 1 (refund limit) "
        "and done by a supervisor\n"
    )
    print(report.table())
    print("\nwhat if chat's first-response target were 1h, not 5m (caseflow simulate --store URL):")
    for metric in ("first_response", "resolution"):
        (ma, mb), (ba, bb) = what_if.sla[f"{metric} measured"], what_if.sla.get(f"{metric} breached", [0, 0])
        print(f"  {metric:<16} breached {ba:>4} of {ma} now, {bb:>4} of {mb} with the change")
    if chart:
        Path(chart).write_text(report.svg(), encoding="utf-8")
        print(f"\nchart written to {chart}")
    if page:
        Path(page).write_text(report.html(), encoding="utf-8")
        print(f"\nreport written to {page}")


if __name__ == "__main__":
    main()
