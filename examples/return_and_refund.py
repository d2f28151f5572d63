"""Return and refund: request -> approved by policy -> buyer ships -> received -> refunded.

Run from the repository root:  python examples/return_and_refund.py
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from caseflow import Actor, Engine, FixedClock, WorkflowEvent, Workflows, load_policies, replay
from caseflow.testing import make_case

RULES = Path(__file__).resolve().parent.parent / "rules"
START = datetime(2026, 11, 11, 2, 0, tzinfo=UTC)


def main() -> None:
    flows = Workflows(engine=Engine(load_policies(RULES), clock=FixedClock(START)))
    case = make_case(
        id="CS-RR-1",
        case_type="return_and_refund",
        request={"kind": "return_and_refund", "amount": "100.00 CNY", "reason": "changed_mind"},
    )
    out = flows.open(case, actor=Actor(id="intake", role="system"), at=START)
    records = list(out.records)
    print(f"opened: {out.case.states}  (policy: {out.decisions[0].rule_ids})")
    steps = [
        ("send_return_label", Actor(id="seller-42", role="seller"), {}),
        ("buyer_shipped", Actor(id="buyer-1", role="buyer"), {"tracking_number": "SF1402339871"}),
        ("return_delivered", Actor(id="carrier-hook", role="system"), {}),
        ("refund_paid", Actor(id="payments-hook", role="system"), {}),
    ]
    case = out.case
    for i, (trigger, actor, data) in enumerate(steps, start=1):
        out = flows.handle(
            case, WorkflowEvent(id=f"rr-{i}", trigger=trigger, actor=actor, at=START + timedelta(days=i), data=data)
        )
        case = out.case
        records += out.records
        print(f"{trigger:<18} by {actor.role:<7} -> return_and_refund: {case.states['return_and_refund']}")
    # the same webhook delivered twice changes nothing
    again = flows.handle(
        case,
        WorkflowEvent(
            id="rr-4",
            trigger="refund_paid",
            actor=Actor(id="payments-hook", role="system"),
            at=START + timedelta(days=5),
        ),
    )
    print(f"refund_paid redelivered: duplicate={again.duplicate}, version still {again.case.version}")
    assert replay(records) == case
    print(f"{len(records)} audit records; replay rebuilds the case exactly")


if __name__ == "__main__":
    main()
