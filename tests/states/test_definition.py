"""Workflow definitions: the shipped ones validate; broken ones give located errors; apps extend them."""

from __future__ import annotations

import pytest

from caseflow.errors import TransitionRefused, WorkflowDefinitionError
from caseflow.states import Actor, Workflows, load_workflows
from caseflow.states.definition import load_workflow_data
from caseflow.states.guards import default_guards
from caseflow.testing import make_case

from .helpers import SUPERVISOR, ev


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
        'workflow: tier1\nversion: "1"\ninitial: new\nstates: [new]\n'
        "transitions:\n  - {trigger: go, sourse: new, dest: new}\n"
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
