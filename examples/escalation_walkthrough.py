"""Tier 1 -> tier 2 -> authority: a repeat complaint escalated by an agent, found by tier 2 to be a
safety problem, handed to the safety team, resolved, with its audit trail.

(A message that itself names a risk - a lawsuit, a fire - goes to the authority at once by
policy: see examples/high_risk.py.)

Run from the repository root:  python examples/escalation_walkthrough.py
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from caseflow import Actor, Engine, FixedClock, WorkflowEvent, Workflows, load_policies, parse_case, replay

RULES = Path(__file__).resolve().parent.parent / "rules"
START = datetime(2026, 11, 11, 1, 30, tzinfo=UTC)


def main() -> None:
    clock = FixedClock(START)
    flows = Workflows(engine=Engine(load_policies(RULES), clock=clock))
    case = parse_case(
        {
            "id": "CS-VN-0042",
            "tenant": "tiktok-shop-vn",
            "channel": "chat",
            "case_type": "damaged_or_defective",
            "created_at": START.isoformat(),
            "buyer": {"id": "buyer-vn-9", "region": "VN", "language": "vi", "history": {"orders_total": 4}},
            "orders": [
                {
                    "id": "VN-771",
                    "amount": "1450000 VND",
                    "placed_at": "2026-11-01T08:00:00+07:00",
                    "delivered_at": "2026-11-08T15:00:00+07:00",
                    "items": [{"sku": "POWERBANK-20K", "category": "electronics"}],
                }
            ],
            "messages": [
                {
                    "author": "buyer",
                    "language": "vi",
                    "at": START.isoformat(),
                    "text": "Sạc dự phòng lại hỏng lần thứ hai, không sạc được nữa.",
                }
            ],
        }
    )
    records = []

    def step(out, title):
        records.extend(out.records)
        print(f"\n== {title}")
        for r in out.records:
            move = f"{r.workflow}: {r.from_state} -> {r.to_state} ({r.trigger})" if r.kind == "transition" else ""
            rules = f" rules={r.rule_ids}" if r.rule_ids else ""
            print(
                f"  v{r.version}.{r.seq} {r.kind:<16} by {r.actor_id} ({r.role}) {move}{rules}"
                + (f" - {r.reason}" if r.reason and r.kind != "decision" else "")
            )
        print(f"  states now: {out.case.states}; tier {out.case.tier}; priority {out.case.priority.value}")
        return out.case

    agent = Actor(id="agent-linh", role="tier1_agent")
    specialist = Actor(id="t2-minh", role="tier2_specialist")
    case = step(flows.open(case, actor=Actor(id="intake", role="system"), at=START), "case opened, policies evaluated")
    t = START
    events = [
        ("triage", agent, "second failure of the same power bank", {}),
        ("handoff_to_tier2", agent, "repeat defect: the buyer's second power bank failed the same way", {}),
        (
            "hand_to_authority",
            specialist,
            "the returned unit's battery casing is swollen: a fire risk, safety team decides at once",
            {"authority": "safety"},
        ),
        ("authority_concluded", specialist, "safety: recall batch B-0925, refund and collect the unit", {}),
        (
            "resolve",
            specialist,
            "refund issued, unit collected",
            {
                "root_cause": "battery cells of batch B-0925 swell",
                "kb_summary": "KB-4471: swollen power banks - stop use, recall",
            },
        ),
        ("close", specialist, None, {}),
    ]
    for i, (trigger, actor, reason, data) in enumerate(events, start=1):
        t += timedelta(minutes=7 * i)
        clock.set(t)
        out = flows.handle(
            case,
            WorkflowEvent(
                id=f"ev-{i}",
                trigger=trigger,
                workflow="tier2" if trigger in ("resolve", "close") else None,
                actor=actor,
                at=t,
                reason=reason,
                data=data,
            ),
        )
        case = step(out, f"{trigger} by {actor.id}")
    assert replay(records) == case
    print(f"\naudit trail: {len(records)} records; replaying them rebuilds the case exactly")


if __name__ == "__main__":
    main()
