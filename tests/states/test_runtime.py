"""Workflows: definitions validate, every transition walks, guards refuse, policies drive, replay rebuilds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from caseflow import Engine, FixedClock, load_policies
from caseflow.errors import (
    ReactionLimitError,
    TransitionNotAllowed,
    TransitionRefused,
    WorkflowDefinitionError,
    WorkflowError,
)
from caseflow.states import Actor, WorkflowEvent, Workflows, load_workflows, replay
from caseflow.states.definition import _expand, load_workflow_data
from caseflow.states.guards import default_guards
from caseflow.testing import make_case

NOW = datetime(2026, 11, 11, 2, 0, tzinfo=UTC)
SYSTEM = Actor(id="sys", role="system")
AGENT = Actor(id="agent-1", role="tier1_agent")
SPECIALIST = Actor(id="t2-1", role="tier2_specialist")
SUPERVISOR = Actor(id="sup-1", role="supervisor")

# data that satisfies every shipped guard
GOOD_DATA = {
    "root_cause": "carrier mislabelled the parcel",
    "kb_summary": "KB-123: relabel flow",
    "authority": "legal",
    "tracking_number": "SF1234567",
    "outcome": "buyer",
    "evidence": "photo",
    "amount": "10 CNY",
    "severity": "critical",
}


@pytest.fixture(scope="module")
def flows() -> Workflows:
    return Workflows()


def ev(
    n: int,
    trigger: str,
    actor: Actor = AGENT,
    *,
    workflow: str | None = None,
    reason: str | None = "because",
    data: dict | None = None,
) -> WorkflowEvent:
    return WorkflowEvent(
        id=f"e{n}",
        trigger=trigger,
        workflow=workflow,
        actor=actor,
        at=NOW + timedelta(minutes=n),
        reason=reason,
        data=data or {},
    )


def test_every_shipped_definition_validates(flows):
    assert set(flows.definitions) == {
        "tier1",
        "tier2",
        "refund_only",
        "return_and_refund",
        "exchange",
        "reship",
        "partial_compensation",
        "dispute",
        "chargeback",
    }


def test_every_transition_of_every_shipped_workflow_walks(flows):
    walked = 0
    for name, d in flows.definitions.items():
        for t in d.transitions:
            for source in _expand(t.sources, d.state_names, d.final_states):
                role = sorted(t.roles)[0]
                case = make_case(case_type="inquiry").model_copy(
                    update={"states": {"tier1": "in_progress", name: source}, "evidence": []}
                )
                if name == "tier1":
                    case = case.model_copy(update={"states": {"tier1": source}})
                out = flows.handle(case, ev(1, t.trigger, Actor(id="x", role=role), workflow=name, data=GOOD_DATA))
                assert out.case.states[name] == t.dest, (name, t.trigger, source)
                assert out.records[0].from_state == source and out.records[0].to_state == t.dest
                walked += 1
    assert walked == 89  # every (transition, source state) pair of the shipped definitions
    assert all(c.machine.models == [] for c in flows.compiled.values())  # no case is ever a machine model


def _outcome(compiled, state, trigger, ctx):
    try:
        new_state, t = compiled.fire(state, trigger, ctx)
        return ("moved", new_state, t.trigger, t.dest)
    except TransitionRefused as exc:
        return ("refused", exc.guard, str(exc))


def test_caseflow_fires_exactly_as_transitions_event_trigger_would(flows):
    """caseflow fires from the machine's transition table; transitions' own Event.trigger must agree
    for every shipped workflow, state, trigger, role and with or without the data guards ask for."""
    from caseflow.states.guards import GuardContext
    from caseflow.states.machine import CompiledWorkflow

    compared = 0
    for name, d in flows.definitions.items():
        fast = flows.compiled[name]
        slow = CompiledWorkflow(d, flows.guards)
        assert fast._table is not None  # caseflow's machines carry no callbacks: the table is used
        slow._table = None  # through Event.trigger
        for state in d.state_names:
            for trigger in fast.allowed(state):
                for role in sorted(flows.roles):
                    for data in (GOOD_DATA, {}):
                        case = make_case(
                            case_type="inquiry",
                            request={"kind": "refund_only", "amount": "2500 CNY", "reason": "changed_mind"},
                        )
                        case = case.model_copy(update={"states": {"tier1": "in_progress", name: state}, "evidence": []})

                        a, b = (
                            _outcome(
                                c,
                                state,
                                trigger,
                                GuardContext(
                                    case=case,
                                    workflow=name,
                                    trigger=trigger,
                                    state=state,
                                    role=role,
                                    actor_id="x",
                                    reason=None,
                                    data=dict(data),
                                    params=d.params,
                                ),
                            )
                            for c in (fast, slow)
                        )
                        assert a == b, (name, state, trigger, role, data)
                        compared += 1
    assert compared > 1000


def test_a_machine_with_callbacks_is_fired_through_transitions():
    from caseflow.states.machine import CompiledWorkflow, _callbacks

    d = load_workflows()[0]
    compiled = CompiledWorkflow(d, default_guards())
    assert not _callbacks(compiled.machine)
    compiled.machine.get_state(d.initial).add_callback("exit", lambda *a: None)
    assert _callbacks(compiled.machine)


def opened(flows: Workflows, **overrides):
    return flows.open(make_case(**overrides), actor=SYSTEM, at=NOW)


def test_a_role_that_may_not_fire_is_refused_and_nothing_changes(flows):
    case = opened(flows).case
    with pytest.raises(TransitionRefused) as exc:
        flows.handle(case, ev(1, "triage", Actor(id="b", role="buyer")))
    assert exc.value.guard == "roles" and "buyer" in str(exc.value)
    assert case.states["tier1"] == "new" and case.version == 1


def test_tier1_cannot_approve_above_its_refund_limit_but_a_supervisor_can(flows):
    case = opened(
        flows,
        request={"kind": "refund_only", "amount": "900.00 CNY", "reason": "damaged"},
        orders=[{"id": "o", "amount": "900.00 CNY", "placed_at": "2026-11-01T10:00:00+08:00"}],
    ).case
    before = case.model_dump()
    with pytest.raises(TransitionRefused) as exc:
        flows.handle(case, ev(1, "approve", AGENT))
    assert exc.value.guard == "within_tier1_refund_limit" and "900.00 CNY" in exc.value.reason
    assert case.model_dump() == before
    out = flows.handle(case, ev(1, "approve", SUPERVISOR))
    assert out.case.states["refund_only"] == "approved"


def test_tier2_cannot_resolve_without_root_cause_and_kb_summary(flows):
    case = make_case(case_type="inquiry").model_copy(
        update={"states": {"tier1": "handed_to_tier2", "tier2": "resolution_proposed"}}
    )
    with pytest.raises(TransitionRefused) as exc:
        flows.handle(case, ev(1, "resolve", SPECIALIST, workflow="tier2"))
    assert exc.value.guard == "has_root_cause"
    with pytest.raises(TransitionRefused) as exc:
        flows.handle(case, ev(1, "resolve", SPECIALIST, workflow="tier2", data={"root_cause": "bad batch"}))
    assert exc.value.guard == "has_kb_summary"
    out = flows.handle(
        case, ev(1, "resolve", SPECIALIST, workflow="tier2", data={"root_cause": "bad batch", "kb_summary": "KB-9"})
    )
    assert out.case.states["tier2"] == "resolved" and out.case.root_cause == "bad batch"


def test_evaluate_without_a_policy_engine_says_how_to_give_one(flows):
    case = opened(flows).case
    with pytest.raises(WorkflowError, match="no policy engine") as exc:
        flows.handle(case, ev(1, "evaluate", SYSTEM))
    assert exc.value.code == "workflow-no-engine" and case.version == 1


def test_handle_names_a_wrong_argument(flows):
    case = opened(flows).case
    with pytest.raises(WorkflowError, match="the event is a dict: use WorkflowEvent.model_validate") as exc:
        flows.handle(case, {"id": "e1", "trigger": "triage"})  # type: ignore[arg-type]
    assert exc.value.code == "handle-bad-argument"
    with pytest.raises(WorkflowError, match="the case is a dict: use caseflow.parse_case"):
        flows.handle(case.model_dump(), ev(1, "triage"))  # type: ignore[arg-type]


def test_not_allowed_from_this_state_says_what_is(flows):
    case = opened(flows).case
    with pytest.raises(TransitionNotAllowed) as exc:
        flows.handle(case, ev(1, "close"))
    assert "tier1.triage" in str(exc.value) and "tier1.cancel" in str(exc.value)


def test_ambiguous_trigger_needs_the_workflow(flows):
    case = make_case().model_copy(update={"states": {"tier1": "resolved", "tier2": "resolved"}})
    with pytest.raises(WorkflowError, match="name the workflow"):
        flows.handle(case, ev(1, "close", SUPERVISOR))
    assert flows.handle(case, ev(1, "close", SUPERVISOR, workflow="tier1")).case.states["tier1"] == "closed"


def test_same_event_twice_changes_nothing_the_second_time(flows):
    case = opened(flows).case
    first = flows.handle(case, ev(1, "triage"))
    again = flows.handle(first.case, ev(1, "triage"))
    assert again.duplicate and again.records == [] and again.case == first.case
    assert first.case.version == 2 and first.case.applied_events == ["open:TEST-1", "e1"]


def test_escalation_hands_off_to_tier2_and_back(flows):
    case = flows.handle(opened(flows).case, ev(1, "triage")).case
    out = flows.handle(case, ev(2, "handoff_to_tier2", reason="repeat contact, third time"))
    assert out.case.states == {"tier1": "handed_to_tier2", "tier2": "escalated", "refund_only": "requested"}
    assert out.case.tier == 2
    out = flows.handle(out.case, ev(3, "return_to_tier1", SPECIALIST, reason="not a tier-2 matter"))
    assert out.case.states["tier1"] == "in_progress" and out.case.states["tier2"] == "returned_to_tier1"
    assert out.case.tier == 1
    assert [r.trigger for r in out.records] == ["return_to_tier1", "take_back"]


def test_a_critical_case_goes_to_an_authority_at_once(flows):
    case = flows.handle(opened(flows).case, ev(1, "handoff_to_tier2", reason="lawsuit threat")).case
    assert case.states["tier2"] == "escalated"  # straight from 'new': critical cases do not wait for triage
    with pytest.raises(TransitionRefused, match="has_authority"):
        flows.handle(case, ev(2, "hand_to_authority", SPECIALIST))
    out = flows.handle(case, ev(2, "hand_to_authority", SPECIALIST, data={"authority": "legal"}))
    assert out.case.states["tier2"] == "with_authority" and out.case.priority.value == "urgent"
    assert out.case.authority == "legal"


@pytest.fixture(scope="module")
def driven() -> Workflows:
    clock = FixedClock(NOW)
    return Workflows(
        engine=Engine(load_policies(__import__("pathlib").Path(__file__).parent.parent / "rules"), clock=clock)
    )


def test_policy_decisions_fire_transitions(driven):
    # the refund policy escalates a high amount: escalate -> tier1.handoff_to_tier2, tier2 starts
    out = driven.open(
        make_case(request={"kind": "refund_only", "amount": "2500 CNY", "reason": "changed_mind"}), actor=SYSTEM, at=NOW
    )
    assert out.decisions[0].rule_ids == ["high-amount-needs-tier2"]
    assert out.case.states["tier1"] == "handed_to_tier2" and out.case.states["tier2"] == "escalated"
    assert out.case.tier == 2 and "high-amount" in out.case.tags
    kinds = [(r.kind, r.trigger) for r in out.records]
    assert kinds[0] == ("opened", None) and ("decision", None) in kinds and ("transition", "handoff_to_tier2") in kinds
    decision = next(r for r in out.records if r.kind == "decision")
    assert decision.rule_ids == ["refunds/high-amount-needs-tier2"]
    assert decision.policy_versions == ["disputes@2026.11.0", "escalation@2026.11.0", "refunds@2026.11.0"]


def test_small_trusted_refund_is_approved_by_policy(driven):
    out = driven.open(
        make_case(request={"kind": "refund_only", "amount": "50 CNY", "reason": "changed_mind"}), actor=SYSTEM, at=NOW
    )
    assert out.case.states["refund_only"] == "approved"


def test_reactions_that_loop_are_stopped_with_a_clear_error():
    ping = load_workflow_data(
        {
            "workflow": "tier1",
            "version": "1",
            "initial": "a",
            "states": ["a", "b"],
            "transitions": [
                {
                    "trigger": "go",
                    "source": "a",
                    "dest": "b",
                    "roles": ["system"],
                    "then": {"workflow": "tier1", "trigger": "back"},
                },
                {
                    "trigger": "back",
                    "source": "b",
                    "dest": "a",
                    "roles": ["system"],
                    "then": {"workflow": "tier1", "trigger": "go"},
                },
            ],
        }
    )
    flows = Workflows([ping], case_workflows={})
    case = flows.open(make_case(), actor=SYSTEM, at=NOW).case
    with pytest.raises(ReactionLimitError):
        flows.handle(case, ev(1, "go", SYSTEM))


def test_replay_of_the_records_rebuilds_the_case_exactly(driven):
    out = driven.open(
        make_case(
            case_type="return_and_refund",
            request={"kind": "return_and_refund", "amount": "100 CNY", "reason": "changed_mind"},
        ),
        actor=SYSTEM,
        at=NOW,
    )
    records = list(out.records)
    steps = [
        ("triage", AGENT, {}),
        ("send_return_label", AGENT, {}),
        ("buyer_shipped", Actor(id="b", role="buyer"), {"tracking_number": "SF1"}),
        ("return_delivered", SYSTEM, {}),
        ("refund_paid", SYSTEM, {}),
    ]
    case = out.case
    for i, (trigger, actor, data) in enumerate(steps, start=1):
        out = driven.handle(case, ev(i, trigger, actor, data=data))
        records += out.records
        case = out.case
        assert replay(records) == case
    assert case.states["return_and_refund"] == "refunded" and case.version == 6


def test_replay_refuses_bad_input():
    with pytest.raises(WorkflowError, match="no records"):
        replay([])


# --- definitions ---------------------------------------------------------------------------

BASE = {
    "workflow": "tier1",
    "version": "1",
    "initial": "new",
    "states": ["new", {"name": "done", "final": True}],
    "transitions": [{"trigger": "finish", "source": "new", "dest": "done", "roles": ["system"]}],
}


def broken(**changes):
    d = {**BASE, **changes}
    with pytest.raises(WorkflowDefinitionError) as exc:
        Workflows([load_workflow_data(d)], case_workflows={})
    return [i.code for i in exc.value.issues], str(exc.value)


def test_broken_definitions_give_clear_errors():
    codes, text = broken(initial="nwe")
    assert codes == ["workflow-no-initial"] and "did you mean 'new'" in text
    codes, text = broken(transitions=[{"trigger": "finish", "source": "new", "dest": "dnoe", "roles": ["system"]}])
    assert "workflow-unknown-state" in codes and "did you mean 'done'" in text
    codes, _ = broken(states=["new", "limbo", {"name": "done", "final": True}])
    assert set(codes) == {"workflow-unreachable", "workflow-dead-end"}
    codes, _ = broken(states=["new", "done"])
    assert codes == ["workflow-dead-end"]
    codes, text = broken(
        transitions=[
            {"trigger": "finish", "source": "new", "dest": "done", "roles": ["system"], "guards": ["os.system"]}
        ]
    )
    assert codes == ["workflow-unknown-guard"]
    codes, _ = broken(transitions=[{"trigger": "finish", "source": "new", "dest": "done", "roles": ["janitor"]}])
    assert codes == ["workflow-unknown-role"]
    codes, _ = broken(
        transitions=[
            {"trigger": "finish", "source": "new", "dest": "done", "roles": ["system"], "set": {"tenant": "x"}}
        ]
    )
    assert codes == ["workflow-bad-value"]


def test_a_yaml_definition_error_is_located(tmp_path):
    p = tmp_path / "w.yaml"
    p.write_text(
        'workflow: tier1\nversion: "1"\ninitial: new\nstates: [new]\ntransitions:\n  - {trigger: go, sourse: new, dest: new}\n'
    )
    with pytest.raises(WorkflowDefinitionError) as exc:
        load_workflows([p])
    assert any(f"{p}:6:" in str(i) and "did you mean 'source'" in str(i) for i in exc.value.issues)


def test_apps_extend_a_shipped_workflow_with_a_state_a_transition_and_a_guard():
    defs = {d.name: d for d in load_workflows()}
    guards = default_guards()
    guards.register("quality_checked", lambda ctx: None if ctx.data.get("qc") == "ok" else "quality check missing")
    defs["tier1"] = defs["tier1"].extend(
        states=[{"name": "quality_review"}],
        transitions=[
            {"trigger": "send_to_qc", "source": "resolved", "dest": "quality_review", "roles": ["supervisor"]},
            {
                "trigger": "qc_passed",
                "source": "quality_review",
                "dest": "closed",
                "roles": ["qa_lead"],
                "guards": ["quality_checked"],
            },
        ],
    )
    flows = Workflows(defs.values(), guards=guards, roles=["qa_lead"])
    case = make_case().model_copy(update={"states": {"tier1": "resolved"}})
    case = flows.handle(case, ev(1, "send_to_qc", SUPERVISOR)).case
    with pytest.raises(TransitionRefused, match="quality_checked"):
        flows.handle(case, ev(2, "qc_passed", Actor(id="q", role="qa_lead")))
    out = flows.handle(case, ev(2, "qc_passed", Actor(id="q", role="qa_lead"), data={"qc": "ok"}))
    assert out.case.states["tier1"] == "closed"
    assert defs["tier1"].version.endswith("+ext")


def test_diagrams_are_mermaid(flows):
    text = flows.diagram("tier1")
    assert "stateDiagram-v2" in text and "new --> triaged: triage" in text and "closed --> [*]" in text
    with pytest.raises(WorkflowError, match="unknown workflow"):
        flows.diagram("nope")


def test_fast_built_records_equal_fully_validated_ones(driven):
    from caseflow import AuditRecord

    out = driven.open(
        make_case(request={"kind": "refund_only", "amount": "2500 CNY", "reason": "changed_mind"}), actor=SYSTEM, at=NOW
    )
    for r in out.records:
        again = AuditRecord.model_validate_json(r.model_dump_json())
        assert again == r and again.model_dump() == r.model_dump()


def test_a_silent_seller_loses_the_dispute_at_the_deadline(driven):
    case = make_case(
        case_type="dispute", seller={"id": "s-1"}, dispute={"reason": "not_received", "opened_at": NOW.isoformat()}
    )
    out = driven.open(case, actor=SYSTEM, at=NOW)
    assert out.case.states["dispute"] == "awaiting_seller_response"  # the policy asked the seller for tracking
    # 47 hours later: still waiting
    out = driven.handle(out.case, ev(1, "evaluate", SYSTEM).model_copy(update={"at": NOW + timedelta(hours=47)}))
    assert out.case.states["dispute"] == "awaiting_seller_response"
    # 49 hours: the seller never answered, the platform decides for the buyer
    out = driven.handle(out.case, ev(2, "evaluate", SYSTEM).model_copy(update={"at": NOW + timedelta(hours=49)}))
    assert out.case.states["dispute"] == "decided"
    moved = [r for r in out.records if r.kind == "transition"]
    assert moved[0].trigger == "decide" and moved[0].reason == "policy disputes/seller-silent"


def test_a_chargeback_freezes_the_payout(driven):
    case = make_case(
        case_type="chargeback",
        risk={"chargeback_filed": True},
        dispute={"reason": "unauthorized", "opened_by": "bank", "opened_at": NOW.isoformat()},
    )
    out = driven.open(case, actor=SYSTEM, at=NOW)
    assert out.case.states["chargeback"] == "payout_frozen"
    # the escalation policy: a chargeback is high severity for payments, so tier 2 hands it on at once
    assert out.case.states["tier1"] == "handed_to_tier2" and out.case.states["tier2"] == "with_authority"
    assert out.case.authority == "payments" and out.case.priority.value == "urgent"
