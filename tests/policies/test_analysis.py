"""Static analysis warnings of caseflow validate."""

from __future__ import annotations

from caseflow import load_policies
from tests.helpers import write


def codes(ps):
    return sorted((w.rule_id, w.code) for w in ps.warnings)


def test_shadowed_never_true_and_catch_all(tmp_path):
    p = write(
        tmp_path,
        "t.yaml",
        """hit_policy: first
rules:
  - {id: a, when: [order.amount < 10 CNY, order.amount > 20 CNY], then: [apologize]}
  - {id: b, when: case.type == refund_only, then: [apologize]}
  - {id: c, when: case.type == refund_only, then: [approve_refund]}
  - {id: d, when: "buyer.segment == vip", then: [apologize]}
  - {id: e, when: [buyer.segment == vip, buyer.segment == new], then: [apologize]}
  - {id: f, priority: 500, when: always, then: [apologize]}
  - {id: g, priority: 600, when: buyer.refunds_90d > 3, then: [apologize]}
  - {id: h, when: "order.amount between 10 CNY and 10 CNY", then: [apologize]}
""",
    )
    ps = load_policies(p)
    assert codes(ps) == [
        ("a", "policy-never-true"),
        ("c", "policy-shadowed-rule"),
        ("e", "policy-never-true"),
        ("g", "policy-shadowed-rule"),
    ]


def test_conflicting_actions_under_all(tmp_path):
    p = write(
        tmp_path,
        "t.yaml",
        """hit_policy: all
rules:
  - {id: approve, when: evidence.has_photo == true, then: [approve_refund]}
  - {id: reject, when: evidence.has_photo == true, then: [{reject_refund: {reason: x}}]}
""",
    )
    assert codes(load_policies(p)) == [("reject", "policy-conflict")]


def test_yaml_booleans_as_ids_get_a_hint(tmp_path):
    import pytest

    from caseflow import PolicyValidationError

    p = write(tmp_path, "t.yaml", "hit_policy: all\nrules:\n  - {id: no, when: always, then: [apologize]}\n")
    with pytest.raises(PolicyValidationError, match="quote the id"):
        load_policies(p)


def test_one_sla_metric_in_two_policies(tmp_path):
    target = "then: [{sla_target: {metric: first_response, within: 1h, calendar: always}}]"
    write(tmp_path, "a.yaml", f"hit_policy: first\nrules:\n  - {{id: x, when: always, {target}}}\n")
    write(tmp_path, "b.yaml", f"hit_policy: first\nrules:\n  - {{id: y, when: always, {target}}}\n")
    assert codes(load_policies(tmp_path)) == [("y", "policy-sla-overlap")]


def test_shipped_packs_have_no_warnings(rules_dir):
    assert load_policies([rules_dir, rules_dir / "sla"]).warnings == ()
