"""Loading policies: located, clear errors, all at once; what load_policies takes and what it loads."""

from __future__ import annotations

from pathlib import Path

import pytest

from caseflow import PolicyValidationError, load_policies, load_policy_text

from .helpers import head, run_validate, write


def test_unknown_action(tmp_path, capsys):
    p = write(tmp_path, head("  - id: a\n    when: always\n    then:\n      - aprove_refund\n"))
    code, err = run_validate(p, capsys)
    assert code == 1 and f"{p}:8:9:" in err and "did you mean 'approve_refund'" in err


def test_duplicate_rule_id(tmp_path, capsys):
    p = write(
        tmp_path,
        head(
            "  - id: a\n    when: always\n    then: [apologize]\n  - id: a\n    when: always\n    then: [apologize]\n"
        ),
    )
    code, err = run_validate(p, capsys)
    assert code == 1 and f"{p}:8:9:" in err and "used twice (first at line 5)" in err


def test_all_errors_of_a_load_come_together(tmp_path):
    write(tmp_path, head("  - id: a\n    when: order.amout > 1 CNY\n    then: [apologize]\n"), "one.yaml")
    write(
        tmp_path,
        'policy: u\nversion: "1"\nhit_policy: sometimes\nrules:\n  - id: b\n    when: always\n    then: [nope]\n',
        "two.yaml",
    )
    with pytest.raises(PolicyValidationError) as exc:
        load_policies(tmp_path)
    codes = sorted(i.code for i in exc.value.issues)
    assert codes == ["policy-bad-value", "policy-unknown-action", "policy-unknown-fact"]
    assert {Path(i.file).name for i in exc.value.issues} == {"one.yaml", "two.yaml"}


def test_missing_keys_and_unknown_keys():
    _, issues = load_policy_text('policy: t\nversion: "1"\nrulez: []\n')
    codes = {i.code for i in issues}
    assert {"policy-missing-key", "policy-unknown-key"} <= codes
    assert any("did you mean 'rules'" in (i.hint or "") for i in issues)


def test_negative_priority_is_refused():
    _, issues = load_policy_text(head("  - id: a\n    priority: -1\n    when: always\n    then: [apologize]\n"))
    assert [i.code for i in issues] == ["policy-bad-value"]


def test_condition_too_complex_for_the_rules_engine(tmp_path):
    values = ", ".join(f"v{i}" for i in range(20))
    cond = "\n".join(f"        - buyer.region in [{values}]" for _ in range(2))
    cond += "\n        - request.reason in [" + values + "]"
    p = write(tmp_path, head(f"  - id: big\n    when:\n      all:\n{cond}\n    then: [apologize]\n"))
    with pytest.raises(PolicyValidationError) as exc:
        load_policies(p)
    assert exc.value.issues[0].code == "policy-too-complex"


def test_the_default_pack_is_valid(rules_dir):
    ps = load_policies(rules_dir)
    assert [p.name for p in ps] == ["disputes", "escalation", "refunds"]
    assert ps.rule_count >= 25


def test_test_files_in_a_policy_folder_are_not_loaded_as_policies(rules_dir):
    ps = load_policies(rules_dir)
    assert all(not p.source.endswith(".test.yaml") for p in ps)


def test_load_policies_names_what_it_takes(rules_dir):
    from caseflow import load_policies

    with pytest.raises(TypeError, match="a file or folder path, or a list of them; got int"):
        load_policies(["rules", 5])  # type: ignore[list-item]
    assert load_policies(p for p in [rules_dir / "refunds.yaml"]).rule_count == 18  # any iterable of paths


@pytest.mark.parametrize(
    ("key", "line"),
    [("policy", "policy:"), ("version", "version: ~"), ("hit_policy", "hit_policy: null"), ("rules", "rules: ~")],
)
def test_a_required_key_left_empty_is_an_error_never_a_silent_skip(key, line):
    doc = {"policy": "policy: p", "version": "version: '1'", "hit_policy": "hit_policy: first"}
    doc["rules"] = "rules:\n  - id: r\n    when: always\n    then: [apologize]"
    doc[key] = line
    checked = load_policy_text("\n".join(doc.values()) + "\n", "p.yaml")
    assert checked.policy is None
    (issue,) = [i for i in checked.issues if i.severity == "error"]
    assert issue.code == "policy-missing-key" and f"{key!r} is empty" in issue.message
    assert issue.line == list(doc).index(key) + 1


def test_a_policy_whose_rules_are_all_disabled_loads_with_a_warning():
    text = "policy: p\nversion: '1'\nhit_policy: first\nrules:\n"
    text += "  - id: r\n    enabled: false\n    when: always\n    then: [apologize]\n"
    checked = load_policy_text(text, "p.yaml")
    assert checked.policy is not None and checked.policy.rules == ()
    (issue,) = checked.issues
    assert (issue.code, issue.severity, issue.line) == ("policy-all-disabled", "warning", 4)


PACK = """
policy: pack
version: "1"
hit_policy: all
phrases:
  sue:
    en: [sue, lawyer]
rules:
  - id: counted
    when: messages.customer_text mentions sue
    then: [{add_tag: {tag: counted}}]
"""

READER = """
policy: reader
version: "1"
hit_policy: all
rules:
  - id: unless-set-aside
    when:
      all:
        - case.type == refund_only
        - not: messages.customer_text mentions pack.sue set aside
    then: [{add_tag: {tag: not-vetoed}}]
"""


def test_a_rule_reads_another_policys_phrase_set_by_its_qualified_name(tmp_path):
    """pack.sue is the set 'sue' of the policy 'pack', known when both are loaded together; alone, the error
    says so; a typo gets a suggestion."""
    from caseflow import Engine, FixedClock
    from caseflow.testing import make_case

    (tmp_path / "pack.yaml").write_text(PACK, encoding="utf-8")
    (tmp_path / "reader.yaml").write_text(READER, encoding="utf-8")
    ps = load_policies(tmp_path)
    engine = Engine(ps, clock=FixedClock("2026-11-11T10:00:00+08:00"))
    for text, fired in [
        ("I won't sue", []),
        ("I will sue", ["counted", "unless-set-aside"]),
        ("hello", ["unless-set-aside"]),
    ]:
        case = make_case(
            case_type="refund_only", messages=[{"author": "buyer", "at": "2026-11-11T09:30:00+08:00", "text": text}]
        )
        assert sorted(engine.evaluate(case).rule_ids) == sorted(fired), text
    with pytest.raises(PolicyValidationError) as e:
        load_policies(tmp_path / "reader.yaml")
    [issue] = e.value.issues
    assert issue.code == "policy-unknown-phrases" and "'pack.sue'" in issue.message
    assert "known when that policy is loaded with this one" in (issue.hint or "")
    (tmp_path / "reader.yaml").write_text(READER.replace("pack.sue", "pack.suee"), encoding="utf-8")
    with pytest.raises(PolicyValidationError) as e:
        load_policies(tmp_path)
    assert e.value.issues[0].hint == "did you mean 'pack.sue'?"


def test_a_policy_named_like_a_builtin_set_never_shadows_it(tmp_path):
    """police.cn is the built-in set of the Chinese police, even beside a policy called 'police' with a set 'cn'."""
    (tmp_path / "police.yaml").write_text(
        PACK.replace("policy: pack", "policy: police")
        .replace("  sue:", "  cn:")
        .replace("mentions sue", "mentions cn"),
        encoding="utf-8",
    )
    (tmp_path / "reader.yaml").write_text(READER.replace("pack.sue", "police.cn"), encoding="utf-8")
    reader = next(p for p in load_policies(tmp_path) if p.name == "reader")
    test = reader.rules[0].when.children[1].child  # not: ... set aside
    assert "公安局" in {p for _, ps in test.value.phrases for p in ps} and test.value.name == "police.cn set aside"
