"""The compiler: what it adds so that every backend decides the same."""

from __future__ import annotations


def test_fact_to_fact_comparison_is_false_when_a_side_is_missing_on_both_backends():
    # hypothesis found durable matching 'order.placed_at < order.delivered_at' with no delivery;
    # the compiler adds explicit presence tests to every fact-to-fact comparison
    from caseflow import Case, Engine, FixedClock, PolicySet, default_actions, default_facts, load_policy_text
    from caseflow.engine.backends import available_backends

    text = (
        'policy: t\nversion: "1"\nhit_policy: all\nrules:\n  - id: a\n'
        "    when: order.placed_at < order.delivered_at\n    then: [apologize]\n"
    )
    policy, issues = load_policy_text(text)
    assert not issues
    ps = PolicySet((policy,), default_facts(), default_actions())
    case = Case.model_validate(
        {
            "id": "c",
            "tenant": "t",
            "channel": "chat",
            "case_type": "inquiry",
            "created_at": "2026-11-01T00:00:00+00:00",
            "orders": [{"id": "o", "amount": "1 CNY", "placed_at": "2026-11-01T00:00:00+00:00"}],
        }
    )
    for backend in available_backends():
        assert Engine(ps, backend=backend, clock=FixedClock("2026-11-02T00:00:00+00:00")).evaluate(case).rule_ids == []
