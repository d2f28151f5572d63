"""The workflow runtime: every transition walks, events are applied once, hand-offs react, replay rebuilds."""

from __future__ import annotations

import pytest

from caseflow.errors import ReactionLimitError, TransitionNotAllowed, TransitionRefused, WorkflowError
from caseflow.states import Actor, Workflows, replay
from caseflow.states.definition import _expand, load_workflow_data
from caseflow.testing import make_case
from tests.helpers import NOW

from .helpers import AGENT, GOOD_DATA, SPECIALIST, SUPERVISOR, SYSTEM, ev, opened


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
    assert walked == 90  # every (transition, source state) pair of the shipped definitions (89 + close_unanswered)
    assert all(c.machine.models == [] for c in flows.compiled.values())  # no case is ever a machine model


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
