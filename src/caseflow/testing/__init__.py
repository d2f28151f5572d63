"""Helpers for testing code and policies that use caseflow (in the manner of structlog.testing).

::

    from caseflow.testing import decide, make_case

    def test_vip_refunds_are_fast():
        d = decide("rules/", make_case(buyer={"segment": "vip"}), at="2026-11-11T10:00:00+08:00")
        assert d.rule_ids == ["small-refund-trusted-buyer"]
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pydantic import JsonValue

from ..clock import FixedClock
from ..engine import Engine
from ..engine.backends import available_backends
from ..errors import EvaluationError
from ..model.case import Case, parse_case
from ..model.decision import Decision
from ..policies.loader import load_policies
from ..policies.model import PolicySet
from .policytest import merge

__all__ = ["FixedClock", "decide", "make_case"]

_BASE: dict[str, JsonValue] = {
    "id": "TEST-1",
    "tenant": "test-shop",
    "channel": "chat",
    "case_type": "refund_only",
    "created_at": "2026-11-11T09:00:00+08:00",
    "buyer": {"id": "buyer-1", "region": "CN", "history": {"orders_total": 10}},
    "orders": [
        {
            "id": "order-1",
            "amount": "100.00 CNY",
            "placed_at": "2026-11-01T10:00:00+08:00",
            "shipped_at": "2026-11-02T10:00:00+08:00",
            "delivered_at": "2026-11-05T10:00:00+08:00",
            "items": [{"sku": "SKU-1", "category": "apparel"}],
        }
    ],
    "request": {"kind": "refund_only", "amount": "100.00 CNY", "reason": "changed_mind"},
}


def make_case(**overrides: object) -> Case:
    """A valid refund case (chat, one delivered 100 CNY order); ``overrides`` merge into it.

    Mappings merge key by key, lists replace: ``make_case(buyer={"segment": "vip"})``
    keeps the buyer's id and history.
    """
    return parse_case(merge(_BASE, overrides), source="make_case")


def decide(
    policies: PolicySet | str | Path,
    case: Case,
    *,
    at: str | datetime,
    backends: tuple[str, ...] | None = None,
) -> Decision:
    """Evaluate ``case`` at time ``at`` on every backend given (default: every backend installed here);
    fail if they disagree."""
    ps = policies if isinstance(policies, PolicySet) else load_policies(policies)
    backends = available_backends() if backends is None else backends
    decisions = [Engine(ps, backend=b, clock=FixedClock(at)).evaluate(case) for b in backends]
    first = decisions[0]
    for other in decisions[1:]:
        if other.rule_ids != first.rule_ids or other.actions != first.actions:
            raise EvaluationError(
                f"backends disagree: {first.backend} fired {first.rule_ids}, {other.backend} fired {other.rule_ids}",
                code="backends-disagree",
            )
    return first
