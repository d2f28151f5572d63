"""Every command through its command-line entry point: exit codes, no tracebacks."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import timedelta
from pathlib import Path

import pytest

from caseflow import Actor, CaseService, WorkflowEvent, Workflows, open_store
from caseflow.risk import TextModel
from caseflow.tools.cli import main
from tests.helpers import ROOT, run, write

from .helpers import MON, _case


@pytest.fixture
def case_file(tmp_path, base_case) -> Path:
    p = tmp_path / "case.json"
    p.write_text(json.dumps(base_case))
    return p


def test_facts_and_actions(capsys):
    code, out, _ = run(["facts"], capsys)
    assert code == 0 and "order.amount" in out and "money" in out
    code, out, _ = run(["facts", "--json"], capsys)
    assert any(f["name"] == "case.type" and "refund_only" in f["choices"] for f in json.loads(out))
    code, out, _ = run(["actions"], capsys)
    assert code == 0 and "escalate" in out and "severity" in out


def test_explain_and_evaluate(case_file, rules_dir, capsys):
    code, out, _ = run(["explain", case_file, "--policies", rules_dir, "--at", "2026-11-11T10:00:00+08:00"], capsys)
    assert code == 0 and "small-refund-trusted-buyer" in out and "FIRED" in out and "(seen:" in out
    code, out, _ = run(
        ["evaluate", case_file, "-p", rules_dir, "--at", "2026-11-11T10:00:00+08:00", "--backend", "python"], capsys
    )
    data = json.loads(out)
    assert code == 0 and [a["type"] for a in data["actions"]] == ["approve_refund", "add_tag"]
    code, out, _ = run(["explain", case_file, "-p", rules_dir, "--at", "2026-11-11T10:00:00+08:00", "--json"], capsys)
    assert {p["name"] for p in json.loads(out)["explanation"]["policies"]} == {"disputes", "escalation", "refunds"}


def test_bad_case_file_names_the_field(tmp_path, base_case, rules_dir, case_file, capsys):
    base_case["channel"] = "pigeon"
    p = tmp_path / "bad.json"
    p.write_text(json.dumps(base_case))
    code, _, err = run(["explain", p, "-p", rules_dir], capsys)
    assert code == 2 and "channel" in err and "bad.json" in err
    code, _, err = run(["explain", tmp_path / "nope.json", "-p", rules_dir], capsys)
    assert code == 2 and "no such file" in err
    code, _, err = run(["explain", case_file, "-p", rules_dir, "--at", "tomorrow"], capsys)
    assert code == 2 and "--at" in err


def test_validate_ok_and_missing(rules_dir, tmp_path, capsys):
    code, out, _ = run(["validate", rules_dir], capsys)
    assert code == 0 and out.startswith("ok: 3 policies")
    code, _, err = run(["validate", tmp_path / "missing"], capsys)
    assert code == 1 and "no such file" in err


MODEL_POLICY = ROOT / "examples" / "text_model" / "escalation-model.yaml"


def test_the_text_model_facts_are_known_with_text_model(case_file, base_case, rules_dir, tmp_path, capsys):
    """A policy reading signal.text_<class>.score validates, evaluates and explains with --text-model; without it
    the error says what to give."""
    code, _, err = run(["validate", MODEL_POLICY], capsys)
    assert code == 1 and "unknown fact 'signal.text_legal.score'" in err and "--text-model shipped" in err
    code, out, _ = run(["validate", "--text-model", "shipped", rules_dir, MODEL_POLICY], capsys)
    assert code == 0 and out.startswith("ok: 4 policies")
    code, out, _ = run(["facts", "--text-model", "shipped"], capsys)
    assert code == 0 and "signal.text_self_harm.score" in out and "order.amount" in out
    base_case["messages"] = [
        {"author": "buyer", "at": "2026-11-11T09:30:00+08:00", "text": "the next letter you get will not be from me"}
    ]
    case_file.write_text(json.dumps(base_case))
    argv = ["explain", case_file, "-p", rules_dir, "-p", MODEL_POLICY, "--at", "2026-11-11T10:00:00+08:00"]
    code, out, _ = run([*argv, "--text-model", "shipped", "--matched-only"], capsys)
    assert code == 0 and re.search(r"rule model-legal \(priority 50, line \d+\): FIRED", out)  # no phrase reads it
    assert "the words that weighed most: 'letter'" in out and "escalation/legal-threat" not in out
    code, out, _ = run(["evaluate", case_file, "-p", rules_dir, "-p", MODEL_POLICY, "--text-model", "shipped"], capsys)
    tags = [a["params"]["tag"] for a in json.loads(out)["actions"] if a["type"] == "add_tag"]
    assert code == 0 and "model:legal" in tags
    code, _, err = run(["validate", "--text-model", "shipped", MODEL_POLICY], capsys)  # its vetoes read the pack's
    assert code == 1 and "unknown phrase set 'escalation.legal_threat'" in err and "loaded with this one" in err
    saved = tmp_path / "mine.json"
    TextModel.shipped().save(saved)
    code, out, _ = run(["validate", "--text-model", saved, rules_dir, MODEL_POLICY], capsys)
    assert code == 0
    for bad, says in [(tmp_path, "a folder, not a file"), (tmp_path / "none.json", "no such file")]:
        code, _, err = run(["validate", "--text-model", bad, MODEL_POLICY], capsys)
        assert code == 2 and says in err and "[text-model-invalid]" in err and len(err.splitlines()) == 1
    (tmp_path / "bad.json").write_text('{"format": "caseflow-text-model/1"', encoding="utf-8")
    code, _, err = run(["evaluate", case_file, "-p", MODEL_POLICY, "--text-model", tmp_path / "bad.json"], capsys)
    assert code == 2 and "bad.json:1:" in err and "not JSON" in err


def test_policy_tests_pass_filter_json_and_fail(rules_dir, tmp_path, capsys):
    code, out, _ = run(["test", rules_dir], capsys)
    assert code == 0 and out.strip().endswith("0 failed")
    code, out, _ = run(["test", rules_dir, "-k", "seven-day", "-v"], capsys)
    assert code == 0 and "PASS" in out and "3 passed" in out
    code, out, _ = run(["test", rules_dir, "--json", "-k", "repeat refunder"], capsys)
    assert json.loads(out)["tests"][0]["fired_rules"] == ["repeat-refunder-review"]
    (tmp_path / "refunds.yaml").write_text((rules_dir / "refunds.yaml").read_text())
    (tmp_path / "wrong.test.yaml").write_text(
        "policies: refunds.yaml\nnow: 2026-11-11T10:00:00+08:00\ntests:\n  - name: wrong on purpose\n"
        "    case: {id: x, tenant: t, channel: chat, case_type: inquiry, created_at: 2026-11-11T09:00:00+08:00}\n"
        "    expect: {rules: [small-refund-trusted-buyer]}\n"
    )
    code, out, _ = run(["test", tmp_path], capsys)
    assert code == 1 and "FAIL" in out and "refund-to-tier1-queue" in out and "1 failed" in out


def test_no_command_prints_help(capsys):
    assert main([]) == 2


def test_rule_coverage_names_rules_no_test_exercises(rules_dir, tmp_path, capsys):
    code, out, _ = run(["test", rules_dir], capsys)
    assert "rule coverage:" in out
    (tmp_path / "refunds.yaml").write_text((rules_dir / "refunds.yaml").read_text())
    (tmp_path / "one.test.yaml").write_text(
        "policies: refunds.yaml\nnow: 2026-11-11T10:00:00+08:00\ntests:\n  - name: inquiry\n"
        "    case: {id: x, tenant: t, channel: chat, case_type: inquiry, created_at: 2026-11-11T09:00:00+08:00}\n"
        "    expect: {rules: [refund-to-tier1-queue]}\n"
    )
    code, out, _ = run(["test", tmp_path, "--json"], capsys)
    cov = json.loads(out)["coverage"]
    assert cov["rules"] == 18 and "refunds/small-refund-trusted-buyer" in cov["uncovered"]
    assert "refunds/refund-to-tier1-queue" not in cov["uncovered"]


def test_files_the_commands_cannot_use_are_one_line_errors(rules_dir, tmp_path, capsys):
    binary = tmp_path / "case.json"
    binary.write_bytes(b"\xff\xfe{}")
    for argv, says in (
        (["explain", tmp_path], "not a file"),
        (["evaluate", binary], "not UTF-8"),
        (["generate", "--n", "1", "--out", tmp_path / "no" / "cases.jsonl"], "cannot write"),
    ):
        code, _, err = run(argv, capsys)
        assert code == 2 and says in err and "Traceback" not in err and len(err.strip().splitlines()) == 1, argv


def test_simulate_reports_a_bad_case_line(rules_dir, tmp_path, capsys):
    cases = tmp_path / "bad.jsonl"
    cases.write_text('{"id": "x"}\n')
    code, _, err = run(
        ["simulate", "--cases", cases, "--policies", rules_dir, "--at", "2026-11-11T10:00:00+08:00"], capsys
    )
    assert code == 2 and f"{cases}:1" in err and "tenant" in err
    code, _, err = run(["simulate", "--cases", tmp_path, "--policies", rules_dir], capsys)
    assert code == 2 and "not a file" in err and "Traceback" not in err
    code, _, err = run(["simulate", "--cases", cases, "--policies", rules_dir, "--workers", "0"], capsys)
    assert code == 2 and "--workers 0: use 1 or more" in err


def test_a_test_filter_that_selects_nothing_is_an_error(rules_dir, capsys):
    code, _, err = run(["test", rules_dir, "-k", "no-such-test-name"], capsys)
    assert code == 2 and "no policy test name contains it" in err


def test_validate_strict_fails_on_warnings(tmp_path, capsys):
    p = write(
        tmp_path,
        "t.yaml",
        "hit_policy: first\nrules:\n  - {id: a, when: always, then: [apologize]}\n"
        "  - {id: b, when: always, then: [apologize]}\n",
    )
    assert main(["validate", str(p)]) == 0
    out = capsys.readouterr().out
    assert f"{p}:6:5: warning: rule 'b'" in out and "1 warning" in out
    assert main(["validate", "--strict", str(p)]) == 1


# --- caseflow db ---------------------------------------------------------------------------


def test_db_upgrade_creates_then_reports_up_to_date(store_url, capsys):
    from caseflow.store import SCHEMA_VERSION  # 2 since the SLA marks and clocks (issue 15)

    assert main(["db", "status", store_url]) == 1
    assert f"needs upgrade to {SCHEMA_VERSION}: caseflow db upgrade" in capsys.readouterr().out
    assert main(["db", "upgrade", store_url]) == 0
    assert "applied 0001_initial" in capsys.readouterr().out
    assert main(["db", "upgrade", store_url]) == 0
    out = capsys.readouterr().out
    assert "applied" not in out and f"schema version {SCHEMA_VERSION} (up to date)" in out
    assert main(["db", "status", store_url]) == 0
    assert "cases" in capsys.readouterr().out


def test_db_check_finds_a_running_clock_without_its_timer_and_repair_restores_it(tmp_path, capsys):
    from caseflow import Engine, FixedClock, load_policies
    from caseflow.sla import SlaTracker, load_calendars
    from caseflow.testing import make_case
    from tests.helpers import RULES

    url = f"sqlite:///{tmp_path / 'cases.db'}"
    engine = Engine(load_policies([RULES, RULES / "sla"]), clock=FixedClock(MON))
    tracker = SlaTracker(engine, load_calendars(RULES / "sla" / "sla.calendars.yaml"))
    with open_store(url, upgrade=True) as store:
        svc = CaseService(store, Workflows(engine=engine), tracker=tracker, clock=FixedClock(MON))
        svc.open(make_case(id="C-1", created_at=MON.isoformat()), actor=Actor(id="i", role="system"), at=MON)
        with store.transaction() as tx:  # a timer lost, as a crash of an older release could leave it
            tx._exec("DELETE FROM timers WHERE case_id = ?", ("C-1",))
    policies = ["--policies", str(RULES), "--policies", str(RULES / "sla")]
    assert main(["db", "check", url, *policies]) == 1
    out = capsys.readouterr().out
    assert "C-1  C-1/first_response/platform  missing: warning:" in out and "--repair" in out
    assert main(["db", "check", url, *policies, "--repair"]) == 0
    assert "repaired 1 case; 0 problem(s) left" in capsys.readouterr().out
    assert main(["db", "check", url, *policies]) == 0
    assert "every running clock has its one timer" in capsys.readouterr().out


def test_db_check_reports_a_damaged_sqlite_file_without_a_traceback(tmp_path, capsys):
    from tests.helpers import RULES

    path = tmp_path / "cases.db"
    with open_store(f"sqlite:///{path}", upgrade=True):
        pass
    data = bytearray(path.read_bytes())
    data[4096:8192] = b"\xff" * 4096  # a page of the file overwritten
    path.write_bytes(bytes(data))
    out = subprocess.run(
        [sys.executable, "-m", "caseflow.tools.cli", "db", "check", f"sqlite:///{path}", "-p", str(RULES),
         "-p", str(RULES / "sla")],
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert out.returncode in (1, 2) and "Traceback" not in out.stderr, out.stderr
    assert "[store-corrupt]" in out.stdout + out.stderr, (out.stdout, out.stderr)


def test_db_upgrade_with_a_bad_url_is_one_clear_line():
    out = subprocess.run(
        [sys.executable, "-m", "caseflow.tools.cli", "db", "upgrade", "mysql://root:pw@localhost/x"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "unknown scheme 'mysql'" in out.stderr and "pw" not in out.stderr


# --- caseflow report (the figures themselves: test_report.py) --------------------------------


def _store_with_cases(url: str) -> None:
    with open_store(url, upgrade=True) as store:
        svc = CaseService(store, Workflows(engine=None))
        for i in range(6):
            c = _case(i, MON + timedelta(days=2 * i))
            svc.open(c, actor=Actor(id="intake", role="system"))
            if i % 3 == 0:
                svc.handle(
                    c.id,
                    WorkflowEvent(
                        id=f"h{i}",
                        trigger="handoff_to_tier2",
                        reason="complex",
                        actor=Actor(id="a", role="tier1_agent"),
                        at=c.created_at,
                    ),
                )


def test_the_command_reads_a_store(store_url, tmp_path, capsys):
    _store_with_cases(store_url)
    chart = tmp_path / "trend.svg"
    assert main(["report", "--store", store_url, "--period", "weekly", "--chart", str(chart)]) == 0
    out = capsys.readouterr().out
    assert "2026-W45" in out and "2026-W46" in out and f"chart written to {chart}" in out
    ET.fromstring(chart.read_text())
    assert main(["report", "--store", store_url, "--period", "daily", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [p["cases"] for p in data["periods"]] == [1] * 6
    assert sum(p["escalated"] for p in data["periods"]) == 2
    assert main(["report", "--store", store_url, "--period", "monthly", "--format", "csv"]) == 0
    assert "2026-11,cases,,6" in capsys.readouterr().out


def test_the_command_says_what_is_wrong(tmp_path, capsys):
    url = f"sqlite:///{tmp_path}/cases.db"
    assert main(["report", "--store", url]) == 2  # no schema yet
    assert "caseflow db upgrade" in capsys.readouterr().err
    _store_with_cases(url)
    assert main(["report", "--store", url, "--tz", "Mars/Olympus"]) == 2
    assert "unknown time zone" in capsys.readouterr().err
    assert main(["report", "--store", url, "--chart", str(tmp_path / "x.png")]) == 2
    assert "SVG" in capsys.readouterr().err
    assert main(["report", "--store", url, "--since", "yesterday"]) == 2
    assert "not an ISO date" in capsys.readouterr().err
    assert main(["report", "--store", url, "--since", "2026-11-20", "--until", "2026-11-01"]) == 2
    assert "is not before --until" in capsys.readouterr().err
