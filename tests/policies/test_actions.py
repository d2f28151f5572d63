"""Action parameters: unknown and invalid parameters are named, with a suggestion."""

from __future__ import annotations

from caseflow import load_policy_text

from .helpers import head


def test_action_parameter_errors():
    text = head("  - id: a\n    when: always\n    then:\n      - escalate: {tier: 3, severty: high}\n")
    _, issues = load_policy_text(text)
    msgs = " ".join(i.message + (i.hint or "") for i in issues)
    assert "severty" in msgs and "did you mean 'severity'" in msgs and "escalate.tier" in msgs
