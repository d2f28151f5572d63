"""Hypothesis strategies shared by the case-model and backend-agreement tests."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import strategies as st

from caseflow import Case
from tests.helpers import NOW

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
