"""Conditions: unknown facts, operators that do not fit, and every condition error, located."""

from __future__ import annotations

import pytest

from caseflow import load_policy_text

from .helpers import head, run_validate, write


def test_misspelt_fact(tmp_path, capsys):
    p = write(tmp_path, head("  - id: a\n    when: order.amout > 10 CNY\n    then: [apologize]\n"))
    code, err = run_validate(p, capsys)
    assert code == 1
    assert f"{p}:6:11:" in err and "unknown fact 'order.amout'" in err and "did you mean 'order.amount'" in err
    assert "rule 'a'" in err


def test_operator_that_does_not_fit_the_type(tmp_path, capsys):
    p = write(tmp_path, head("  - id: a\n    when: case.channel > chat\n    then: [apologize]\n"))
    code, err = run_validate(p, capsys)
    assert code == 1 and f"{p}:6:24:" in err and "operator '>' does not fit 'case.channel'" in err


@pytest.mark.parametrize(
    ("test", "code"),
    [
        ("order.amount > 100", "policy-missing-currency"),
        ("order.amount > 100 XXX", "policy-bad-value"),
        ("case.type == refnd_only", "policy-bad-value"),
        ("buyer.refunds_90d > many", "policy-bad-value"),
        ("message.text matches '(?=a)b'", "policy-bad-regex"),  # look-ahead: not in RE2's syntax
        ("message.text matches '(unclosed'", "policy-bad-regex"),
        ("order.amount between 50 CNY and 10 CNY", "policy-never-true"),
        ("case.age_hours more than 3 days ago", "policy-operator-type"),
        ("order.delivered_at more than 3 fortnights ago", "condition-syntax"),
        ("buyer.refunds_90d < $nope", "policy-unknown-param"),
        ("case.type in []", "policy-bad-value"),
        ("order.amount > request.amout", "policy-unknown-fact"),
        ("order.amount > buyer.refunds_90d", "policy-operator-type"),
        ("buyer.refunds_90d frobs 3", "policy-unknown-operator"),
    ],
)
def test_condition_errors(test, code):
    text = head(f'  - id: a\n    when: "{test}"\n    then: [apologize]\n')
    policy, issues = load_policy_text(text)
    assert policy is None
    assert [i.code for i in issues] == [code], issues
    assert issues[0].line == 6 and issues[0].rule_id == "a"
