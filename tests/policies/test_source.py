"""Reading policy YAML: located errors for bad YAML, tags, aliases, duplicate keys, tabs, binary and empty files."""

from __future__ import annotations

from caseflow import load_policy_text

from .helpers import head, run_validate, write


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
