"""Policy test files: a malformed one is a located, clear error."""

from __future__ import annotations

import re

import pytest

from caseflow import Engine, FixedClock, parse_case
from caseflow.testing import policytest
from caseflow.testing.policytest import load_file, run_file
from tests.helpers import ROOT, run


def test_malformed_test_file_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "x.test.yaml").write_text("tests:\n  - name: a\n    expect: {rulez: []}\n")
    code, _, err = run(["test", tmp_path], capsys)
    assert code == 2 and "unknown expectation 'rulez'" in err and "x.test.yaml:2:5" in err


POLICY = """\
policy: abuse
version: "1"
hit_policy: all
rules:
  - id: abusive-customer
    when:
      all:
        - signal.toxicity.score > 0.9
        - signal.toxicity.label == abusive
    then:
      - route_to_queue: {queue: abuse-desk}
"""

HEAD = """\
policies: abuse.yaml
now: 2026-11-11T10:00:00+08:00
signals:
  toxicity: {labels: [abusive, neutral], score: true, description: the app's toxicity model}
base_case: {id: CS-1, tenant: shop, channel: chat, case_type: not_as_described, created_at: "2026-11-11T09:00:00+08:00"}
tests:
"""


def _signal_tests(tmp_path, tests: str):
    (tmp_path / "abuse.yaml").write_text(POLICY)
    (tmp_path / "abuse.test.yaml").write_text(HEAD + tests)
    return tmp_path / "abuse.test.yaml"


@pytest.mark.parametrize("backend", ["python", "durable"])
def test_a_test_file_gives_the_values_of_signal_providers_it_declares(tmp_path, backend):
    path = _signal_tests(
        tmp_path,
        """\
  - name: abusive and sure
    signals: {toxicity: {label: abusive, score: 0.97, explanation: "toxicity-v3: 3 of 3 words"}}
    expect: {rules: [abusive-customer], actions: [route_to_queue]}
  - name: abusive but unsure
    signals: {toxicity: {label: abusive, score: 0.5}}
    expect: {rules: []}
  - name: the provider says nothing
    expect: {rules: []}
  - name: a wrong expectation fails
    signals: {toxicity: {label: neutral, score: 0.99}}
    expect: {rules: [abusive-customer]}
""",
    )
    outcomes = run_file(path, backend=backend)
    assert [(o.test.name, o.passed) for o in outcomes] == [
        ("abusive and sure", True),
        ("abusive but unsure", True),
        ("the provider says nothing", True),
        ("a wrong expectation fails", False),
    ]
    assert outcomes[0].hits == ["abuse/abusive-customer"]


def test_a_given_signal_is_explained_with_its_words(tmp_path):
    path = _signal_tests(
        tmp_path,
        """\
  - name: abusive
    signals: {toxicity: {label: abusive, score: 0.97, explanation: "toxicity-v3: 3 of 3 words"}}
    expect: {rules: [abusive-customer]}
""",
    )
    tf = load_file(path)
    test = tf.tests[0]
    engine = Engine(tf.policy_set(), clock=FixedClock(test.now))
    with policytest._given(test.signals):
        decision = engine.evaluate(parse_case(test.case))
    assert "toxicity-v3: 3 of 3 words" in decision.explain().render(only_matched=True)
    # outside a test, the declared provider says nothing: the facts are missing
    assert engine.evaluate(parse_case(test.case)).rule_ids == []


@pytest.mark.parametrize(
    ("given", "where", "says"),
    [
        (
            "{toxicity: {label: abusvie}}",
            "abuse.test.yaml:8:",
            "label 'abusvie' is not declared (labels: abusive, neutral)",
        ),
        ("{toxicity: {score: 1.5}}", "abuse.test.yaml:8:", "the score is a number from 0 to 1, not 1.5"),
        ("{toxicity: {score: true}}", "abuse.test.yaml:8:", "the score is a number from 0 to 1, not True"),
        ("{toxicity: {labl: abusive}}", "abuse.test.yaml:8:", "unknown key 'labl' in signal 'toxicity'"),
        ("{toxcity: {label: abusive}}", "abuse.test.yaml:8:", "signal provider 'toxcity' is not declared"),
        ("[toxicity]", "abuse.test.yaml:8:14", "maps a provider's name to {label, score, explanation}"),
    ],
)
def test_a_wrong_given_signal_is_a_located_error(tmp_path, capsys, given, where, says):
    path = _signal_tests(tmp_path, f"  - name: a\n    signals: {given}\n    expect: {{rules: []}}\n")
    code, _, err = run(["test", path], capsys)
    assert code == 2 and where in err and says in err, err


@pytest.mark.parametrize(
    ("declared", "says"),
    [
        ("{Toxicity: {score: true}}", "a signal provider's name must be one lower-case word"),
        ("{toxicity: {}}", "gives neither labels nor a score"),
        ("{toxicity: {labels: [Abusive]}}", "label 'Abusive' is not a lower-case word"),
        ("{toxicity: {score: yes please}}", "'signals' maps a provider's name to what it gives"),
        ("{toxicity: {scores: true}}", "unknown key 'scores' in signal provider 'toxicity'"),
    ],
)
def test_a_wrong_signal_declaration_is_a_located_error(tmp_path, capsys, declared, says):
    (tmp_path / "abuse.yaml").write_text(POLICY)
    text = HEAD.replace(
        "signals:\n  toxicity: {labels: [abusive, neutral], score: true, description: the app's toxicity model}",
        f"signals: {declared}",
    )
    (tmp_path / "abuse.test.yaml").write_text(text + "  - name: a\n    expect: {rules: []}\n")
    code, _, err = run(["test", tmp_path / "abuse.test.yaml"], capsys)
    assert code == 2 and "abuse.test.yaml:3:" in err and says in err, err


def test_policies_reading_an_undeclared_signal_say_which_fact_is_unknown(tmp_path, capsys):
    (tmp_path / "abuse.yaml").write_text(POLICY)
    (tmp_path / "abuse.test.yaml").write_text(
        HEAD.replace(
            "signals:\n  toxicity: {labels: [abusive, neutral], score: true, description: the app's toxicity model}\n",
            "",
        )
        + "  - name: a\n    expect: {rules: []}\n"
    )
    code, _, err = run(["test", tmp_path / "abuse.test.yaml"], capsys)
    assert code != 0 and "abuse.yaml:" in err and "signal.toxicity.score" in err, err


def test_the_docs_example_of_a_test_file_with_signals_passes(tmp_path, capsys):
    page = (ROOT / "docs" / "signal-providers.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(# abuse\.test\.yaml.*?)```", page, re.S)
    assert block, "docs/signal-providers.md lost its example test file"
    (tmp_path / "abuse.yaml").write_text(POLICY)
    (tmp_path / "abuse.test.yaml").write_text(block.group(1))
    code, out, err = run(["test", tmp_path / "abuse.test.yaml"], capsys)
    assert code == 0 and "3 passed, 0 failed" in out, out + err


def test_load_with_loads_policies_beside_those_under_test_and_covers_only_these(tmp_path, capsys):
    """A policy reading another's phrase sets (pack.sue) is tested with that policy loaded beside it; the rule
    coverage counts the policies under test, while the other's rules fire and are expected like any."""
    from tests.policies.test_loader import PACK, READER

    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "pack.yaml").write_text(PACK, encoding="utf-8")
    (tmp_path / "reader.yaml").write_text(READER, encoding="utf-8")
    test_file = """
policies: reader.yaml
load_with: [shared/]
now: 2026-11-11T10:00:00+08:00
base_case: {id: C-1, tenant: shop, channel: chat, case_type: refund_only, created_at: "2026-11-11T09:00:00+08:00"}
tests:
  - name: a negated phrase of the pack vetoes the reader's rule
    case: {messages: [{author: buyer, at: 2026-11-11T09:30:00+08:00, text: "I won't sue"}]}
    expect: {rules: []}
  - name: a counted phrase fires the pack's rule beside the reader's
    case: {messages: [{author: buyer, at: 2026-11-11T09:30:00+08:00, text: "I will sue"}]}
    expect: {rules: [unless-set-aside, counted]}
"""
    (tmp_path / "reader.test.yaml").write_text(test_file, encoding="utf-8")
    code, out, err = run(["test", tmp_path / "reader.test.yaml"], capsys)
    assert code == 0 and "2 passed, 0 failed" in out, out + err
    assert "reader: 1 of 1" in out and "pack:" not in out
    (tmp_path / "reader.test.yaml").write_text(test_file.replace("load_with: [shared/]\n", ""), encoding="utf-8")
    code, out, err = run(["test", tmp_path / "reader.test.yaml"], capsys)
    assert code != 0 and "unknown phrase set 'pack.sue'" in err, out + err
    (tmp_path / "reader.test.yaml").write_text(test_file.replace("[shared/]", "shared/"), encoding="utf-8")
    code, out, err = run(["test", tmp_path / "reader.test.yaml"], capsys)
    assert code != 0 and "'load_with' is a list of policy files or folders" in err, out + err
