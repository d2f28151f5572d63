"""caseflow simulate: what a policy change does to generated cases, to conversations and to a store's history."""

from __future__ import annotations

import json
from datetime import UTC

from tests.helpers import run


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
