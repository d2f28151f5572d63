"""caseflow.testing: make_case and decide."""

from __future__ import annotations

from caseflow.testing import decide, make_case


def test_make_case_merges_overrides():
    case = make_case(buyer={"segment": "vip"}, case_type="return_and_refund")
    assert (
        case.buyer.segment.value == "vip" and case.buyer.id == "buyer-1" and case.case_type.value == "return_and_refund"
    )


def test_decide_runs_both_backends(rules_dir):
    d = decide(rules_dir, make_case(), at="2026-11-11T10:00:00+08:00")
    assert d.rule_ids == ["small-refund-trusted-buyer"]
    d = decide(rules_dir, make_case(buyer={"history": {"refunds_90d": 9}}), at="2026-11-11T10:00:00+08:00")
    assert d.rule_ids == ["repeat-refunder-review"]
