"""Bad policy files give located, clear errors, all at once, and never run code."""

from __future__ import annotations

from pathlib import Path

import pytest

from caseflow import PolicyValidationError, load_policies, load_policy_text
from caseflow.tools.cli import main

GOOD_RULE = """
  - id: ok
    when: order.amount > 10 CNY
    then: [apologize]
"""


def write(tmp_path: Path, text: str, name: str = "p.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def head(rules: str, hit: str = "first") -> str:
    return f'policy: t\nversion: "1"\nhit_policy: {hit}\nrules:\n{rules}'


def run_validate(path: Path, capsys) -> tuple[int, str]:
    code = main(["validate", str(path)])
    out = capsys.readouterr()
    assert "Traceback" not in out.err + out.out
    return code, out.err


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


def test_broken_indentation(tmp_path, capsys):
    p = write(tmp_path, head("  - id: a\n    when: always\n     then: [apologize]\n"))
    code, err = run_validate(p, capsys)
    assert code == 1 and f"{p}:7:" in err and "invalid YAML" in err and "indentation" in err


def test_python_object_tag_is_refused_and_never_runs(tmp_path, capsys):
    marker = tmp_path / "pwned"
    text = head(f"  - id: a\n    when: !!python/object/apply:os.system ['touch {marker}']\n    then: [apologize]\n")
    p = write(tmp_path, text)
    code, err = run_validate(p, capsys)
    assert code == 1 and "tag" in err and "not allowed" in err and f"{p}:6:11:" in err
    assert not marker.exists()


def test_duplicate_yaml_keys_are_errors(tmp_path, capsys):
    p = write(tmp_path, head("  - id: a\n    when: always\n    when: always\n    then: [apologize]\n"))
    code, err = run_validate(p, capsys)
    assert code == 1 and "appears twice" in err


def test_aliases_are_refused():
    text = head("  - &r {id: a, when: always, then: [apologize]}\n  - *r\n")
    policy, issues = load_policy_text(text)
    assert policy is None and any(i.code == "yaml-alias" for i in issues)


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


def test_action_parameter_errors():
    text = head("  - id: a\n    when: always\n    then:\n      - escalate: {tier: 3, severty: high}\n")
    _, issues = load_policy_text(text)
    msgs = " ".join(i.message + (i.hint or "") for i in issues)
    assert "severty" in msgs and "did you mean 'severity'" in msgs and "escalate.tier" in msgs


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


def test_tabs_binary_and_empty_files_are_clear(tmp_path, capsys):
    p = write(tmp_path, 'policy: t\nversion: "1"\nhit_policy: all\nrules:\n\t- id: a\n', "tabs.yaml")
    code, err = run_validate(p, capsys)
    assert code == 1 and f"{p}:5:1:" in err and "tab" in err.lower()
    b = tmp_path / "bin.yaml"
    b.write_bytes(b"\xff\xfe\x00garbage")
    code, err = run_validate(b, capsys)
    assert code == 1 and "not UTF-8" in err
    e = write(tmp_path, "", "empty.yaml")
    code, err = run_validate(e, capsys)
    assert code == 1 and "the file is empty" in err


def test_test_files_in_a_policy_folder_are_not_loaded_as_policies(rules_dir):
    ps = load_policies(rules_dir)
    assert all(not p.source.endswith(".test.yaml") for p in ps)
