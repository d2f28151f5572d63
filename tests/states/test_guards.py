"""Guards refuse a transition, and say why, until the case has what it needs."""

from __future__ import annotations

import pytest

from caseflow.errors import TransitionRefused
from caseflow.testing import make_case

from .helpers import AGENT, SPECIALIST, SUPERVISOR, ev, opened


def test_tier1_cannot_approve_above_its_refund_limit_but_a_supervisor_can(flows):
    case = opened(
        flows,
        request={"kind": "refund_only", "amount": "900.00 CNY", "reason": "damaged"},
        orders=[{"id": "o", "amount": "900.00 CNY", "placed_at": "2026-11-01T10:00:00+08:00"}],
    ).case
    before = case.model_dump()
    with pytest.raises(TransitionRefused) as exc:
        flows.handle(case, ev(1, "approve", AGENT))
    assert exc.value.guard == "within_tier1_refund_limit" and "900.00 CNY" in exc.value.reason
    assert case.model_dump() == before
    out = flows.handle(case, ev(1, "approve", SUPERVISOR))
    assert out.case.states["refund_only"] == "approved"


@pytest.mark.parametrize("amount", ["-50 CNY", "abc", "1e999 CNY", "9" * 30 + " CNY"])
def test_an_amount_in_the_event_that_is_no_refund_amount_is_refused_by_the_guard_never_raised(flows, amount):
    case = opened(
        flows,
        request={"kind": "refund_only", "amount": "90.00 CNY", "reason": "damaged"},
        orders=[{"id": "o", "amount": "90.00 CNY", "placed_at": "2026-11-01T10:00:00+08:00"}],
    ).case
    with pytest.raises(TransitionRefused) as exc:
        flows.handle(case, ev(1, "approve", AGENT, data={"amount": amount}))
    assert exc.value.guard == "within_tier1_refund_limit"
    assert exc.value.reason.startswith("data.amount ") and "is not a refund amount" in exc.value.reason


def test_tier2_cannot_resolve_without_root_cause_and_kb_summary(flows):
    case = make_case(case_type="inquiry").model_copy(
        update={"states": {"tier1": "handed_to_tier2", "tier2": "resolution_proposed"}}
    )
    with pytest.raises(TransitionRefused) as exc:
        flows.handle(case, ev(1, "resolve", SPECIALIST, workflow="tier2"))
    assert exc.value.guard == "has_root_cause"
    with pytest.raises(TransitionRefused) as exc:
        flows.handle(case, ev(1, "resolve", SPECIALIST, workflow="tier2", data={"root_cause": "bad batch"}))
    assert exc.value.guard == "has_kb_summary"
    out = flows.handle(
        case, ev(1, "resolve", SPECIALIST, workflow="tier2", data={"root_cause": "bad batch", "kb_summary": "KB-9"})
    )
    assert out.case.states["tier2"] == "resolved" and out.case.root_cause == "bad batch"
