"""Engine behaviour through the public API."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from caseflow import Engine, EvaluationError, FixedClock, PolicySet, load_policies, parse_case
from tests.helpers import CLOCK, policy


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
        'policy: peak\nversion: "1"\nhit_policy: all\n'
        "effective: {from: 2026-11-10, until: 2026-11-12, timezone: Asia/Shanghai}\n"
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


@pytest.mark.durable
def test_evaluate_facts_treats_absent_names_as_missing():
    engine = Engine(limit_policy("1", "50 CNY"), backend="durable", clock=CLOCK)
    assert engine.evaluate_facts({}).rule_ids == []


@pytest.mark.parametrize("backend", ["python", "durable"])
def test_an_evaluation_past_its_budget_stops_with_a_clear_error_and_none_means_no_budget(backend, base_case, tmp_path):
    import time

    from caseflow import default_facts

    facts = default_facts()
    facts.register("crm.score", "integer", "a slow lookup", lambda case, now: time.sleep(0.2) or 1)
    for name, test in (("a-slow", "crm.score == 1"), ("b-after", "always")):
        rules = f"policy: {name}\nversion: '1'\nhit_policy: all\nrules:\n"
        rules += f"  - id: r\n    when: {test}\n    then: [apologize]\n"
        (tmp_path / f"{name}.yaml").write_text(rules, encoding="utf-8")
    ps = load_policies(tmp_path, facts=facts)
    case = parse_case(base_case)
    with pytest.raises(EvaluationError) as e:
        Engine(ps, backend=backend, clock=CLOCK, budget_seconds=0.05).evaluate(case)
    assert e.value.code == "evaluation-budget" and "budget of 0.05 s before policy" in str(e.value)
    assert Engine(ps, backend=backend, clock=CLOCK, budget_seconds=None).evaluate(case).rule_ids == ["r", "r"]
    assert Engine(ps, backend=backend, clock=CLOCK).evaluate(case).rule_ids == ["r", "r"]  # 10 s by default
    with pytest.raises(EvaluationError) as e:
        Engine(ps, backend=backend, budget_seconds=0)
    assert e.value.code == "evaluate-bad-argument"
