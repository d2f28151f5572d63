"""The refund rules as expressions for the peer engines (zen-engine, rule-engine), first hit wins.

Both engines read the same flat context (see ``context``); missing facts are null and every
test on a nullable fact checks for null first, as caseflow's semantics require.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

EXC = '["not_received", "damaged", "defective", "not_as_described"]'
REFUNDISH = (
    '["refund_only", "return_and_refund", "damaged_or_defective", "item_not_received", "not_as_described", '
    '"wrong_item"]'
)
EXEMPT = (
    '["custom_made", "fresh_food", "perishable", "digital_download", "audio_video_software_unsealed", '
    '"newspapers_periodicals"]'
)

RULES: list[tuple[str, str]] = [
    (
        "live-auction-final-sale",
        'sale_type == "live_auction" and case_type in ["refund_only", "return_and_refund", "exchange"] and '
        f"not (reason in {EXC})",
    ),
    (
        "live-auction-late-report",
        f'sale_type == "live_auction" and reason in {EXC} and reason != "not_received" and '
        "age_days != null and age_days > 3",
    ),
    ("repeat-refunder-review", f"case_type in {REFUNDISH} and refunds != null and refunds >= 5"),
    (
        "high-amount-needs-tier2",
        f'(case_type in {REFUNDISH} or case_type == "partial_compensation") and amount != null and '
        '((currency == "CNY" and amount > 2000) or (currency == "IDR" and amount > 5000000) or '
        '(currency == "VND" and amount > 8000000) or (currency == "USD" and amount > 300))',
    ),
    (
        "damaged-with-evidence",
        'case_type in ["damaged_or_defective", "wrong_item"] and (photo or video) and '
        "age_days != null and age_days <= 15",
    ),
    (
        "damaged-needs-evidence",
        'case_type in ["damaged_or_defective", "wrong_item"] and not photo and not video and '
        "age_days != null and age_days <= 15",
    ),
    (
        "damaged-reported-late",
        'case_type in ["damaged_or_defective", "wrong_item"] and age_days != null and age_days > 15',
    ),
    (
        "not-received-tracking-stale",
        'case_type == "item_not_received" and tracking != null and tracking != "delivered" and '
        "stale != null and stale >= 5 and late != null and late >= 3",
    ),
    ("not-received-but-delivered", 'case_type == "item_not_received" and tracking == "delivered"'),
    ("not-received-still-in-transit", 'case_type == "item_not_received" and not (late != null and late >= 3)'),
    (
        "seven-day-exempt-category",
        'case_type == "return_and_refund" and reason == "changed_mind" and (exempt or all_returnable == false)',
    ),
    (
        "seven-day-no-reason-return",
        'case_type == "return_and_refund" and reason == "changed_mind" and age_days != null and age_days <= 7 and '
        "not used_or_damaged",
    ),
    (
        "seven-day-window-passed",
        'case_type == "return_and_refund" and reason == "changed_mind" and age_days != null and age_days > 7',
    ),
    ("not-as-described", 'case_type == "not_as_described" and evidence >= 1'),
    ("not-as-described-needs-evidence", 'case_type == "not_as_described" and evidence == 0'),
    ("refund-before-shipment", 'case_type in ["refund_only", "cancellation"] and shipped == false'),
    (
        "small-refund-trusted-buyer",
        'case_type in ["refund_only", "return_and_refund"] and amount != null and '
        '((currency == "CNY" and amount <= 200) or (currency == "IDR" and amount <= 500000) or '
        '(currency == "VND" and amount <= 800000) or (currency == "USD" and amount <= 30)) and '
        'orders != null and orders >= 5 and refunds != null and refunds <= 1 and segment != "watchlist" and '
        "not (fraud != null and fraud > 0.3)",
    ),
    ("refund-to-tier1-queue", "true"),
]


def context(f: dict[str, Any], now: datetime) -> dict[str, Any]:
    """A flat context from caseflow's derived facts (the same facts every reference gets)."""
    amt = f.get("request.amount")
    delivered = f.get("order.delivered_at")
    cats = f.get("items.categories") or []
    conds = f.get("items.conditions") or []
    exempt = {
        "custom_made",
        "fresh_food",
        "perishable",
        "digital_download",
        "audio_video_software_unsealed",
        "newspapers_periodicals",
    }
    return {
        "case_type": f.get("case.type"),
        "reason": f.get("request.reason"),
        "sale_type": f.get("order.sale_type"),
        "amount": None if amt is None else float(amt.amount),
        "currency": None if amt is None else amt.currency,
        "age_days": None if delivered is None else (now - delivered).total_seconds() / 86400,
        "refunds": f.get("buyer.refunds_90d"),
        "orders": f.get("buyer.orders_total"),
        "segment": f.get("buyer.segment"),
        "fraud": f.get("risk.fraud_score"),
        "photo": bool(f.get("evidence.has_photo")),
        "video": bool(f.get("evidence.has_video")),
        "evidence": f.get("evidence.count") or 0,
        "tracking": f.get("tracking.status"),
        "stale": f.get("tracking.days_since_last_event"),
        "late": f.get("order.days_past_expected_delivery"),
        "shipped": f.get("order.shipped"),
        "all_returnable": f.get("items.all_returnable"),
        "exempt": not exempt.isdisjoint(cats),
        "used_or_damaged": not {"used", "damaged"}.isdisjoint(conds),
    }


def zen_rules():
    import zen

    return [(rid, zen.compile_expression(expr)) for rid, expr in RULES]


def rule_engine_rules():
    import rule_engine

    ctx = rule_engine.Context(default_value=None)
    return [(rid, rule_engine.Rule(expr, context=ctx)) for rid, expr in RULES]


def first_zen(rules, ctx: dict[str, Any]) -> str:
    for rid, expr in rules:
        if expr.evaluate(ctx) is True:
            return rid
    raise AssertionError("the last rule always matches")


def first_rule_engine(rules, ctx: dict[str, Any]) -> str:
    for rid, rule in rules:
        if rule.matches(ctx):
            return rid
    raise AssertionError("the last rule always matches")
