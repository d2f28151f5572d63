"""Engine behaviour through the public API."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
import structlog

from caseflow import (
    Decision,
    Engine,
    EvaluationError,
    FactError,
    FixedClock,
    PolicySet,
    default_actions,
    default_facts,
    load_policies,
    load_policy_text,
    parse_case,
)

CLOCK = FixedClock("2026-11-11T10:00:00+08:00")


def policy(text: str, facts=None) -> PolicySet:
    p, issues = load_policy_text(text, facts=facts)
    assert p is not None, issues
    return PolicySet((p,), facts or default_facts(), default_actions())


def limit_policy(version: str, limit: str) -> PolicySet:
    return policy(
        f'policy: limits\nversion: "{version}"\nhit_policy: all\nrules:\n'
        f"  - id: big\n    when: order.amount > {limit}\n    then: [apologize]\n"
    )


@pytest.mark.parametrize("backend", ["durable", "python"])
def test_two_versions_of_a_policy_side_by_side(backend, base_case):
    case = parse_case(base_case)  # 89 CNY
    v1 = Engine(limit_policy("1", "50 CNY"), backend=backend, clock=CLOCK)
    v2 = Engine(limit_policy("2", "100 CNY"), backend=backend, clock=CLOCK)
    for _ in range(3):
        d1, d2 = v1.evaluate(case), v2.evaluate(case)
        assert d1.rule_ids == ["big"] and d1.matched_rules[0].version == "1"
        assert d2.rule_ids == [] and d2.policies[0].version == "2"


@pytest.mark.parametrize("backend", ["durable", "python"])
def test_effective_dates_switch_a_policy_on_and_off(backend, base_case):
    ps = policy(
        'policy: peak\nversion: "1"\nhit_policy: all\neffective: {from: 2026-11-10, until: 2026-11-12, timezone: Asia/Shanghai}\n'
        "rules:\n  - id: peak\n    when: always\n    then: [{set_priority: {priority: high}}]\n"
    )
    clock = FixedClock("2026-11-09T23:59:59+08:00")
    engine = Engine(ps, backend=backend, clock=clock)
    case = parse_case(base_case)
    assert engine.evaluate(case).actions == [] and engine.evaluate(case).policies[0].effective is False
    clock.advance(seconds=1)
    assert engine.evaluate(case).action_types == ["set_priority"]
    clock.set(datetime(2026, 11, 11, 16, 0, tzinfo=UTC))  # 2026-11-12 00:00 in Shanghai
    assert engine.evaluate(case).actions == []


def test_decisions_carry_order_time_versions_and_serialize(rules_dir, base_case):
    engine = Engine(load_policies(rules_dir), clock=CLOCK)
    d = engine.evaluate(parse_case(base_case))
    assert d.evaluated_at == CLOCK.now() and d.backend == "durable" and d.case_id == "C-1"
    assert d.action_types == ["approve_refund", "add_tag"]
    again = Decision.model_validate_json(d.model_dump_json())
    # the fast construction equals full validation (== would also compare the private explainer)
    assert again.model_dump() == d.model_dump() and again.model_fields_set == d.model_fields_set
    assert again.__dict__ == d.__dict__
    with pytest.raises(EvaluationError, match="no explanation context"):
        again.explain()


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


def test_app_registered_fact(base_case):
    facts = default_facts()
    facts.register(
        "buyer.loyalty_tier",
        "enum",
        "loyalty tier from the CRM",
        lambda case, now: case.attributes.get("loyalty_tier"),
        choices=["bronze", "gold"],
    )
    ps = policy(
        'policy: loyal\nversion: "1"\nhit_policy: all\nrules:\n'
        "  - id: gold\n    when: buyer.loyalty_tier == gold\n    then: [apologize]\n",
        facts,
    )
    base_case["attributes"] = {"loyalty_tier": "gold"}
    for backend in ("durable", "python"):
        assert Engine(ps, backend=backend, clock=CLOCK).evaluate(parse_case(base_case)).rule_ids == ["gold"]
    base_case["attributes"] = {"loyalty_tier": 7}
    with pytest.raises(FactError, match="buyer.loyalty_tier.*returned int"):
        Engine(ps, backend="python", clock=CLOCK).evaluate(parse_case(base_case))


def test_a_naive_clock_and_a_non_case_are_clear_errors(rules_dir, base_case):
    class Naive:
        def now(self):
            return datetime(2026, 11, 11, 10, 0)

    with pytest.raises(ValueError, match="no time zone"):
        Engine(load_policies(rules_dir), clock=Naive()).evaluate(parse_case(base_case))
    with pytest.raises(EvaluationError, match="takes a Case"):
        Engine(load_policies(rules_dir), clock=CLOCK).evaluate(base_case)


def test_unknown_backend():
    with pytest.raises(EvaluationError, match="unknown backend"):
        Engine(limit_policy("1", "1 CNY"), backend="drools")


def test_the_library_never_configures_logging(rules_dir, base_case):
    before = (structlog.is_configured(), structlog.get_config()["processors"], logging.getLogger().handlers[:])
    Engine(load_policies(rules_dir), clock=CLOCK).evaluate(parse_case(base_case))
    assert (structlog.is_configured(), structlog.get_config()["processors"], logging.getLogger().handlers[:]) == before


def test_evaluate_facts_treats_absent_names_as_missing():
    engine = Engine(limit_policy("1", "50 CNY"), backend="durable", clock=CLOCK)
    assert engine.evaluate_facts({}).rule_ids == []


def test_a_time_without_a_zone_or_not_a_time_is_a_time_error_and_a_value_error(rules_dir):
    from datetime import datetime

    from caseflow import Engine, FixedClock, TimeError, load_policies
    from caseflow.testing import make_case

    with pytest.raises(TimeError, match="is not an ISO date-time") as e:
        FixedClock("next tuesday")
    assert e.value.code == "time-invalid" and isinstance(e.value, ValueError)
    with pytest.raises(TimeError, match="has no time zone") as e:
        FixedClock(datetime(2026, 11, 11, 10, 0))
    assert e.value.code == "time-naive"
    engine = Engine(load_policies(rules_dir / "refunds.yaml"), clock=FixedClock("2026-11-11T10:00:00+08:00"))
    with pytest.raises(ValueError, match="evaluate\\(at=...\\) 2026-11-11T10:00:00 has no time zone"):
        engine.evaluate(make_case(), at=datetime(2026, 11, 11, 10, 0))


def test_load_policies_names_what_it_takes(rules_dir):
    from caseflow import load_policies

    with pytest.raises(TypeError, match="a file or folder path, or a list of them; got int"):
        load_policies(["rules", 5])  # type: ignore[list-item]
    assert load_policies(p for p in [rules_dir / "refunds.yaml"]).rule_count == 18  # any iterable of paths
