"""Explanations agree with the decision and show the values they were decided on."""

from __future__ import annotations

from caseflow import Engine, load_policies, parse_case
from tests.helpers import CLOCK


def test_explanation_agrees_with_the_decision_and_shows_values(rules_dir, base_case):
    base_case["risk"] = {"fraud_score": 0.8}
    engine = Engine(load_policies(rules_dir), clock=CLOCK)
    d = engine.evaluate(parse_case(base_case))
    ex = d.explain()
    fired = [r.rule_id for p in ex.policies for r in p.rules if r.fired]
    assert fired == d.rule_ids == ["refund-to-tier1-queue"]
    text = ex.render()
    assert "risk.fraud_score = 0.8" in text and "$trusted_max_fraud_score = 0.3" in text
    refunds = next(p for p in ex.policies if p.name == "refunds")
    small = next(r for r in refunds.rules if r.rule_id == "small-refund-trusted-buyer")
    assert small.matched is False and small.condition.result is False
