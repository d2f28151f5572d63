"""Every command through its command-line entry point: exit codes, no tracebacks."""

from __future__ import annotations

import json
from datetime import UTC
from pathlib import Path

import pytest

from caseflow.tools.cli import main


def run(args, capsys):
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return code, out.out, out.err


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


def test_malformed_test_file_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "x.test.yaml").write_text("tests:\n  - name: a\n    expect: {rulez: []}\n")
    code, _, err = run(["test", tmp_path], capsys)
    assert code == 2 and "unknown expectation 'rulez'" in err and "x.test.yaml:2:5" in err


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


def test_generate_and_simulate(rules_dir, tmp_path, capsys):
    cases = tmp_path / "cases.jsonl"
    code, _, err = run(["generate", "--n", "400", "--seed", "3", "--out", cases], capsys)
    assert code == 0 and "wrote 400 cases" in err and len(cases.read_text().splitlines()) == 400
    code, out, _ = run(["generate", "--n", "2", "--seed", "3"], capsys)
    assert out.splitlines()[0] == cases.read_text().splitlines()[0]  # deterministic for a seed
    at = "2026-11-11T10:00:00+08:00"
    code, out, _ = run(["simulate", "--cases", cases, "--policies", rules_dir, "--at", at, "--workers", "1"], capsys)
    assert code == 0 and "cases: 400" in out and "refunds/refund-to-tier1-queue" in out
    # B raises the small-refund limit: more automatic approvals, fewer tier-1 queue routings
    b = tmp_path / "b"
    b.mkdir()
    (b / "refunds.yaml").write_text(
        (rules_dir / "refunds.yaml").read_text().replace("small_refund_cny: 200 CNY", "small_refund_cny: 2000 CNY")
    )
    code, out, _ = run(
        [
            "simulate",
            "--cases",
            cases,
            "--policies",
            rules_dir / "refunds.yaml",
            "--against",
            b,
            "--at",
            at,
            "--format",
            "json",
            "--workers",
            "2",
        ],
        capsys,
    )
    data = json.loads(out)
    small = data["rules"]["refunds/small-refund-trusted-buyer"]
    assert data["changed"] > 0 and small["b"] > small["a"]
    assert data["examples"]["refunds/small-refund-trusted-buyer"]
    assert float(data["refunds_approved"]["CNY"]["b"]) > float(data["refunds_approved"]["CNY"]["a"])
    code, out, _ = run(["simulate", "--cases", cases, "--policies", rules_dir, "--at", at, "--format", "csv"], capsys)
    assert out.startswith("section,name,a,b") and "\nrule,refunds/" in out
    # the same policies listed in another order decide the same: nothing differs
    r, e = rules_dir / "refunds.yaml", rules_dir / "escalation.yaml"
    code, out, _ = run(
        [
            "simulate",
            "--cases",
            cases,
            "--policies",
            r,
            "--policies",
            e,
            "--against",
            e,
            "--against",
            r,
            "--at",
            at,
            "--format",
            "json",
            "--workers",
            "1",
        ],
        capsys,
    )
    data = json.loads(out)
    assert data["changed"] == 0 and data["rules"]["refunds/refund-to-tier1-queue"]["a"] > 0
    assert any(k.startswith("escalation/") and v["a"] > 0 for k, v in data["rules"].items())


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


def test_generated_conversations_are_answered_mostly_and_never_from_the_future(tmp_path, capsys):
    code, out, _ = run(["generate", "--n", "500", "--seed", "5"], capsys)
    cases = [json.loads(line) for line in out.splitlines()]
    now = "2026-11-11T02:00:00+00:00"  # the generator's default now
    assert all(c["messages"][0]["author"] == "buyer" and c["messages"][0]["at"] == c["created_at"] for c in cases)
    assert all(m["at"] <= now for c in cases for m in c["messages"])
    answered = sum(any(m["author"] == "agent" for m in c["messages"]) for c in cases)
    again = sum(sum(m["author"] == "buyer" for m in c["messages"]) > 1 for c in cases)
    assert 0.75 * 500 < answered < 0.95 * 500 and 0.1 * 500 < again < 0.4 * 500


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


def test_simulate_counts_next_response_breaches_per_cycle(tmp_path, capsys):
    from caseflow.testing import make_case

    def folder(name, within):
        return _sla_policy(
            tmp_path / name,
            f"metric: next_response, within: {within}, calendar: always, start: trigger, "
            "start_on: [tier1.customer_replied], stop_on: [tier1.ask_customer], repeat: true",
        )

    def msg(author, hhmm):
        return {"author": author, "text": "hello", "at": f"2026-11-11T{hhmm}:00+00:00"}

    conversations = [
        # two cycles: the buyer writes again after each answer (20 and 40 minutes; the second buyer
        # message at 03:01 is part of the open cycle, not a new one)
        [
            msg("buyer", "02:00"),
            msg("agent", "02:05"),
            msg("buyer", "02:30"),
            msg("agent", "02:50"),
            msg("buyer", "03:00"),
            msg("buyer", "03:01"),
            msg("agent", "03:40"),
        ],
        # a second buyer message before any answer is not a cycle; the last cycle is still open at --at (35 minutes)
        [msg("buyer", "02:00"), msg("buyer", "02:10"), msg("agent", "02:20"), msg("seller", "03:25")],
        [msg("buyer", "02:00")],  # never answered: no next-response cycle
    ]
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        "".join(
            make_case(id=f"NR-{i}", created_at="2026-11-11T02:00:00+00:00", messages=m).model_dump_json() + "\n"
            for i, m in enumerate(conversations)
        )
    )
    code, out, _ = run(
        [
            "simulate",
            "--cases",
            cases,
            "--policies",
            folder("a", "30m"),
            "--against",
            folder("b", "1h"),
            "--at",
            "2026-11-11T04:00:00+00:00",
            "--format",
            "json",
            "--workers",
            "1",
        ],
        capsys,
    )
    sla = json.loads(out)["sla"]
    assert sla["next_response measured"] == {"a": 3, "b": 3}
    assert sla["next_response breached"] == {"a": 2, "b": 0}  # 40m and 35m > 30m; none > 1h
    assert "first_response measured" not in sla  # the policies chose no first-response target


def test_simulate_replays_a_store_and_measures_sla_on_its_audit_records(store_url, tmp_path, capsys):
    from datetime import datetime, timedelta

    from caseflow import CaseService, FixedClock, Workflows, open_store
    from caseflow.states import Actor, WorkflowEvent
    from caseflow.testing import make_case

    t0 = datetime(2026, 11, 11, 2, 0, tzinfo=UTC)
    agent = Actor(id="agent", role="tier1_agent")
    with open_store(store_url, upgrade=True) as store:
        svc = CaseService(store, Workflows(engine=None), clock=FixedClock(t0))  # opened at t0
        for i, minutes in enumerate([5, 30, 180, None]):  # work started after; None: not yet (at --at)
            case = make_case(id=f"ST-{i}", created_at=t0.isoformat())
            svc.open(case, actor=Actor(id="intake", role="system"))
            svc.handle(case.id, WorkflowEvent(id=f"t{i}", trigger="triage", actor=agent, at=t0 + timedelta(minutes=1)))
            if minutes is not None:
                svc.handle(
                    case.id,
                    WorkflowEvent(id=f"s{i}", trigger="start_work", actor=agent, at=t0 + timedelta(minutes=minutes)),
                )
    a, b = _first_response_policy(tmp_path / "a", "10m"), _first_response_policy(tmp_path / "b", "2h")
    at = (t0 + timedelta(hours=4)).isoformat()  # after all the history
    code, out, err = run(
        ["simulate", "--store", store_url, "--policies", a, "--against", b, "--at", at, "--format", "json"], capsys
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["cases"] == 4
    # the clock stops when work starts (the audit records say when); the unstarted one runs to --at (4 h)
    assert data["sla"]["first_response measured"] == {"a": 4, "b": 4}
    assert data["sla"]["first_response breached"] == {"a": 3, "b": 2}  # 30m, 3h, 4h > 10m; 3h, 4h > 2h
    code, out, _ = run(["simulate", "--store", store_url, "--policies", a, "--at", at], capsys)
    assert code == 0 and "measured on the audit records" in out and "first_response breached" in out
    # split among two worker processes, a case a chunk: the same report
    from caseflow.tools.simulate import simulate_store

    split = simulate_store(store_url, [a], [b], at=at, workers=2, chunk=1).to_dict()
    assert split["sla"] == data["sla"] and split["rules"] == data["rules"] and split["cases"] == 4
    code, _, err = run(["simulate", "--policies", a], capsys)
    assert code == 2 and "--cases FILE.jsonl or --store URL" in err


def test_schema_is_valid_and_the_shipped_policies_pass_it(rules_dir, capsys):
    import jsonschema
    import yaml

    code, out, _ = run(["schema"], capsys)
    schema = json.loads(out)
    jsonschema.Draft202012Validator.check_schema(schema)
    committed = json.loads((rules_dir.parent / "schema" / "policy.schema.json").read_text())
    assert committed == schema, "schema/policy.schema.json is stale: run 'caseflow schema > schema/policy.schema.json'"
    v = jsonschema.Draft202012Validator(schema)
    for f in [*rules_dir.glob("*.yaml"), *(rules_dir / "sla").glob("*.yaml")]:
        if f.name.endswith((".test.yaml", ".detectors.yaml", ".calendars.yaml")):
            continue
        assert not list(v.iter_errors(json.loads(json.dumps(yaml.safe_load(f.read_text()), default=str)))), f
        assert f.read_text().startswith("# yaml-language-server: $schema=")
    bad = {
        "policy": "x",
        "version": "1",
        "hit_policy": "first",
        "rules": [{"id": "a", "when": "always", "then": [{"escalate": {"severty": "high"}}]}],
    }
    assert list(v.iter_errors(bad))


def _sla_policy(folder, target):
    """A folder with a 24/7 calendar and one policy that sets the SLA target ``{target}`` on every case."""
    folder.mkdir()
    (folder / "sla.calendars.yaml").write_text("calendars:\n  always:\n    timezone: UTC\n    always_open: true\n")
    (folder / "sla.yaml").write_text(
        'policy: sla\nversion: "1"\nhit_policy: first\nrules:\n  - id: all\n'
        f"    when: always\n    then:\n      - sla_target: {{{target}}}\n"
    )
    return folder


def _first_response_policy(folder, within):
    return _sla_policy(
        folder,
        f'metric: first_response, within: {within}, calendar: always, start: opened, stop_in: ["tier1:in_progress"]',
    )


def test_simulate_counts_first_response_breaches_under_each_version(tmp_path, capsys):
    from caseflow.testing import make_case

    lines = []
    for i, minutes in enumerate([5, 30, 180, None]):  # the agent's first answer; None: not answered yet
        msgs = [{"author": "buyer", "text": "where is my parcel", "at": "2026-11-11T02:00:00+00:00"}]
        if minutes is not None:
            msgs.append(
                {
                    "author": "agent",
                    "text": "checking",
                    "at": f"2026-11-11T{2 + minutes // 60:02d}:{minutes % 60:02d}:00+00:00",
                }
            )
        lines.append(make_case(id=f"FR-{i}", created_at="2026-11-11T02:00:00+00:00", messages=msgs).model_dump_json())
    cases = tmp_path / "cases.jsonl"
    cases.write_text("\n".join(lines) + "\n")
    a, b = _first_response_policy(tmp_path / "a", "10m"), _first_response_policy(tmp_path / "b", "2h")
    code, out, _ = run(
        [
            "simulate",
            "--cases",
            cases,
            "--policies",
            a,
            "--against",
            b,
            "--at",
            "2026-11-11T03:00:00+00:00",
            "--format",
            "json",
            "--workers",
            "1",
        ],
        capsys,
    )
    sla = json.loads(out)["sla"]
    # measured to the agent's answer (or to --at: one hour for the unanswered case)
    assert sla["first_response measured"] == {"a": 4, "b": 4}
    assert sla["first_response breached"] == {"a": 3, "b": 1}  # 30m, 3h, 1h open > 10m; only 3h > 2h
    code, out, _ = run(
        [
            "simulate",
            "--cases",
            cases,
            "--policies",
            a,
            "--against",
            b,
            "--at",
            "2026-11-11T03:00:00+00:00",
            "--workers",
            "1",
        ],
        capsys,
    )
    assert code == 0 and "first_response breached" in out and "-2" in out
