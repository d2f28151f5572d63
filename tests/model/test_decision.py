"""Decisions: what an engine returns, serialized and read back."""

from __future__ import annotations

import pytest

from caseflow import Decision, Engine, EvaluationError, load_policies, parse_case
from tests.helpers import CLOCK


def test_decisions_carry_order_time_versions_and_serialize(rules_dir, base_case):
    engine = Engine(load_policies(rules_dir), clock=CLOCK)
    d = engine.evaluate(parse_case(base_case))
    assert d.evaluated_at == CLOCK.now() and d.backend == "python" and d.case_id == "C-1"
    assert d.action_types == ["approve_refund", "add_tag"]
    again = Decision.model_validate_json(d.model_dump_json())
    # the fast construction equals full validation (== would also compare the private explainer)
    assert again.model_dump() == d.model_dump() and again.model_fields_set == d.model_fields_set
    assert again.__dict__ == d.__dict__
    with pytest.raises(EvaluationError, match="no explanation context"):
        again.explain()
