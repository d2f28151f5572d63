"""A Vietnamese message threatening a lawsuit goes to legal at once, with the explanation printed.

Run from the repository root:  python examples/high_risk.py
"""

from datetime import UTC, datetime
from pathlib import Path

from caseflow import Actor, Engine, FixedClock, Workflows, load_policies, parse_case

RULES = Path(__file__).resolve().parent.parent / "rules"
NOW = datetime(2026, 11, 11, 3, 0, tzinfo=UTC)


def main() -> None:
    engine = Engine(load_policies(RULES), clock=FixedClock(NOW))
    flows = Workflows(engine=engine)
    case = parse_case(
        {
            "id": "CS-VN-0107",
            "tenant": "tiktok-shop-vn",
            "channel": "chat",
            "case_type": "not_as_described",
            "created_at": NOW.isoformat(),
            "buyer": {"id": "buyer-vn-3", "region": "VN", "language": "vi", "history": {"orders_total": 2}},
            "orders": [
                {
                    "id": "VN-9001",
                    "amount": "890000 VND",
                    "placed_at": "2026-11-02T10:00:00+07:00",
                    "delivered_at": "2026-11-09T16:00:00+07:00",
                    "items": [{"sku": "SNEAKER-42", "category": "shoes"}],
                }
            ],
            "messages": [
                {
                    "author": "buyer",
                    "language": "vi",
                    "at": NOW.isoformat(),
                    "text": "Giày này là hàng giả. Nếu không hoàn tiền, tôi sẽ nhờ luật sư khởi kiện shop.",
                }
            ],
        }
    )
    out = flows.open(case, actor=Actor(id="intake", role="system"), at=NOW)
    print(
        f"states: {out.case.states}  tier {out.case.tier}  priority {out.case.priority.value}  "
        f"authority {out.case.authority}  tags {out.case.tags}"
    )
    print()
    for r in out.records:
        if r.kind == "transition":
            print(f"  {r.workflow}: {r.from_state} -> {r.to_state} ({r.trigger}, by {r.role}: {r.reason})")
        elif r.kind == "decision":
            print(f"  decision: {', '.join(r.rule_ids) or 'no rule'}")
    print()
    print(out.decisions[0].explain().render(only_matched=True))


if __name__ == "__main__":
    main()
