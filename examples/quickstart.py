"""Quick start: load the default policy pack, evaluate a refund case, explain the decision.

Run from the repository root:  python examples/quickstart.py
"""

from pathlib import Path

from caseflow import Engine, FixedClock, load_policies, parse_case

RULES = Path(__file__).resolve().parent.parent / "rules"


def main() -> None:
    policies = load_policies(RULES)
    # Time comes from an injected clock: this run is the same on every machine, every day.
    clock = FixedClock("2026-11-11T10:00:00+08:00")
    engine = Engine(policies, clock=clock)  # backend="durable" (durable-rules) by default

    case = parse_case(
        {
            "id": "CS-20261111-0001",
            "tenant": "tmall-shop-42",
            "channel": "chat",
            "case_type": "return_and_refund",
            "created_at": "2026-11-11T09:40:00+08:00",
            "buyer": {"id": "buyer-7", "region": "CN", "language": "zh-CN",
                      "history": {"orders_total": 23, "refunds_90d": 1}},
            "orders": [{
                "id": "TB-88001", "amount": "159.00 CNY",
                "placed_at": "2026-11-01T20:15:00+08:00",
                "shipped_at": "2026-11-02T09:00:00+08:00",
                "delivered_at": "2026-11-06T14:30:00+08:00",
                "items": [{"sku": "JACKET-M-NAVY", "category": "apparel", "unit_price": "159.00 CNY"}],
            }],
            "request": {"kind": "return_and_refund", "amount": "159.00 CNY", "reason": "changed_mind"},
            "messages": [{"author": "buyer", "language": "zh-CN", "at": "2026-11-11T09:40:00+08:00",
                          "text": "尺码不合适，想七天无理由退货"}],
        }
    )

    decision = engine.evaluate(case)
    print(decision.summary())
    print()
    print(decision.explain().render(only_matched=True))


if __name__ == "__main__":
    main()
