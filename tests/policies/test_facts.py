"""Facts: apps register their own, and a fact that returns the wrong type is a clear error."""

from __future__ import annotations

import pytest

from caseflow import Engine, FactError, default_facts, parse_case
from caseflow.engine.backends import available_backends
from tests.helpers import CLOCK, policy


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
    for backend in available_backends():
        assert Engine(ps, backend=backend, clock=CLOCK).evaluate(parse_case(base_case)).rule_ids == ["gold"]
    base_case["attributes"] = {"loyalty_tier": 7}
    with pytest.raises(FactError, match="buyer.loyalty_tier.*returned int"):
        Engine(ps, backend="python", clock=CLOCK).evaluate(parse_case(base_case))
