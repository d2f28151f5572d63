"""Property tests: the durable and python backends decide the same, always."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caseflow import Case, Engine, FixedClock, load_policies, load_policy_text

NOW = datetime(2026, 11, 11, 2, 0, tzinfo=UTC)
CLOCK = FixedClock(NOW)

CURRENCIES = {"CNY": (1, 5000), "IDR": (10000, 9000000), "VND": (10000, 12000000), "USD": (1, 600)}
CATEGORIES = ["apparel", "electronics", "fresh_food", "custom_made", "collectibles", "digital_download", "books"]


@st.composite
def cases(draw) -> Case:
    cur = draw(st.sampled_from(sorted(CURRENCIES)))
    lo, hi = CURRENCIES[cur]
    amount = f"{draw(st.integers(lo * 100, hi * 100)) / 100:.2f} {cur}"
    placed = NOW - timedelta(days=draw(st.integers(0, 40)), hours=draw(st.integers(0, 23)))
    shipped = draw(st.one_of(st.none(), st.just(placed + timedelta(days=1))))
    delivered = None
    if shipped is not None and draw(st.booleans()):
        delivered = NOW - timedelta(seconds=draw(st.integers(0, 30 * 86400)))
    expected = draw(st.one_of(st.none(), st.just(placed + timedelta(days=draw(st.integers(2, 12))))))
    shipment = None
    if shipped is not None and draw(st.booleans()):
        status = draw(st.sampled_from(["in_transit", "delivered", "exception"]))
        events = [{"at": (NOW - timedelta(days=draw(st.integers(0, 15)))).isoformat(), "status": status}]
        shipment = {"status": status, "events": events if draw(st.booleans()) else []}
    items = [
        {
            "sku": f"S{i}",
            "category": draw(st.sampled_from(CATEGORIES)),
            "returnable": draw(st.booleans()),
            "condition": draw(st.one_of(st.none(), st.sampled_from(["new", "opened", "used", "damaged"]))),
        }
        for i in range(draw(st.integers(0, 3)))
    ]
    order = {
        "id": "o",
        "amount": amount,
        "placed_at": placed.isoformat(),
        "sale_type": draw(st.sampled_from(["standard", "live_auction"])),
        "items": items,
    }
    if shipped:
        order["shipped_at"] = shipped.isoformat()
    if delivered:
        order["delivered_at"] = delivered.isoformat()
    if expected:
        order["expected_delivery_at"] = expected.isoformat()
    if shipment:
        order["shipment"] = shipment
    data = {
        "id": "c",
        "tenant": "t",
        "channel": draw(st.sampled_from(["chat", "email", "in_app"])),
        "case_type": draw(
            st.sampled_from(
                [
                    "refund_only",
                    "return_and_refund",
                    "damaged_or_defective",
                    "item_not_received",
                    "not_as_described",
                    "wrong_item",
                    "cancellation",
                    "inquiry",
                ]
            )
        ),
        "created_at": (NOW - timedelta(hours=2)).isoformat(),
        "orders": [order] if draw(st.integers(0, 9)) else [],
        "evidence": [{"kind": k} for k in draw(st.lists(st.sampled_from(["photo", "video", "document"]), max_size=2))],
        "risk": {"fraud_score": draw(st.one_of(st.none(), st.floats(0, 1, allow_nan=False)))},
    }
    if draw(st.integers(0, 9)):
        data["buyer"] = {
            "id": "b",
            "segment": draw(st.sampled_from(["new", "regular", "vip", "watchlist"])),
            "history": {"orders_total": draw(st.integers(0, 50)), "refunds_90d": draw(st.integers(0, 8))},
        }
    if draw(st.integers(0, 5)):
        data["request"] = {
            "kind": draw(st.sampled_from(["refund_only", "return_and_refund"])),
            "reason": draw(
                st.sampled_from(["changed_mind", "damaged", "not_received", "not_as_described", "defective"])
            ),
        }
        if draw(st.booleans()):
            data["request"]["amount"] = amount
    return Case.model_validate(data)


_PACK = None


def engines():
    global _PACK
    if _PACK is None:
        from pathlib import Path

        ps = load_policies(Path(__file__).resolve().parent.parent / "rules")
        _PACK = (Engine(ps, backend="durable", clock=CLOCK), Engine(ps, backend="python", clock=CLOCK))
    return _PACK


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_default_pack_same_decision_on_both_backends(case):
    durable, python = engines()
    a, b = durable.evaluate(case), python.evaluate(case)
    assert a.rule_ids == b.rule_ids
    assert a.actions == b.actions


# --- random policies: trees of all / any / not over tests, with missing facts --------------

TESTS = [
    "order.amount > 100 CNY",
    "order.amount <= 50 USD",
    "order.amount != 89.00 CNY",
    "request.amount >= order.amount",
    "order.amount between 10 CNY and 500 CNY",
    "buyer.refunds_90d >= 2",
    "buyer.refunds_90d != 0",
    "buyer.orders_total < 5",
    "buyer.segment == vip",
    "buyer.segment != watchlist",
    "buyer.segment in [vip, new]",
    "buyer.segment not in [regular]",
    "risk.fraud_score > 0.5",
    "risk.fraud_score exists",
    "buyer exists_placeholder",
    "order.delivered_at more than 7 days ago",
    "order.delivered_at within 3 days",
    "order.delivered_at not exists",
    "items.categories in [fresh_food, custom_made]",
    "items.categories not in [electronics]",
    "items.categories contains apparel",
    "tracking.status == delivered",
    "tracking.days_since_last_event > 4",
    "evidence.has_photo == true",
    "case.type in [refund_only, return_and_refund]",
    "order.shipped == false",
    "request.reason != changed_mind",
    "order.days_past_expected_delivery >= 3",
    "order.placed_at < order.delivered_at",
]
TESTS.remove("buyer exists_placeholder")

tree = st.recursive(
    st.sampled_from(TESTS),
    lambda kids: st.one_of(
        st.builds(lambda xs: {"all": xs}, st.lists(kids, min_size=1, max_size=3)),
        st.builds(lambda xs: {"any": xs}, st.lists(kids, min_size=1, max_size=3)),
        st.builds(lambda x: {"not": x}, kids),
    ),
    max_leaves=6,
)


def _yaml(cond) -> str:
    import json

    return json.dumps(cond)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    st.lists(tree, min_size=1, max_size=4),
    st.sampled_from(["first", "all"]),
    st.lists(cases(), min_size=5, max_size=12),
)
def test_random_policies_same_decision_on_both_backends(conds, hit, batch):
    rules = "".join(
        f"  - id: r{i}\n    priority: {i % 3}\n    when: {_yaml(c)}\n    then: [apologize]\n"
        for i, c in enumerate(conds)
    )
    policy, issues = load_policy_text(f'policy: rnd\nversion: "1"\nhit_policy: {hit}\nrules:\n{rules}')
    if policy is None:
        assert all(i.code == "policy-too-complex" for i in issues), issues
        return
    from caseflow import PolicySet, default_actions, default_facts

    ps = PolicySet((policy,), default_facts(), default_actions())
    durable, python = Engine(ps, backend="durable", clock=CLOCK), Engine(ps, backend="python", clock=CLOCK)
    for case in batch:
        assert durable.evaluate(case).rule_ids == python.evaluate(case).rule_ids
