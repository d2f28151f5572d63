"""Machines: caseflow's firing table agrees with transitions; roles that may not fire are refused."""

from __future__ import annotations

import pytest

from caseflow.errors import TransitionRefused
from caseflow.states import Actor, load_workflows
from caseflow.states.guards import default_guards
from caseflow.testing import make_case

from .helpers import GOOD_DATA, ev, opened


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


def test_a_role_that_may_not_fire_is_refused_and_nothing_changes(flows):
    case = opened(flows).case
    with pytest.raises(TransitionRefused) as exc:
        flows.handle(case, ev(1, "triage", Actor(id="b", role="buyer")))
    assert exc.value.guard == "roles" and "buyer" in str(exc.value)
    assert case.states["tier1"] == "new" and case.version == 1


def test_transitions_is_a_release_this_module_was_checked_against():
    # states/machine.py reads Machine.get_transitions, Transition.dest/conditions/prepare/before/after,
    # Condition.func/target and State.on_enter/on_exit; pyproject.toml pins transitions>=0.9.2,<0.10
    from importlib.metadata import version

    from packaging.version import Version
    from transitions import Machine

    assert Version("0.9.2") <= Version(version("transitions")) < Version("0.10")
    m = Machine(model=[], states=["a", "b"], initial="a", transitions=[{"trigger": "go", "source": "a", "dest": "b"}])
    (t,) = m.get_transitions(trigger="go", source="a")
    assert (t.dest, t.conditions, t.prepare, t.before, t.after) == ("b", [], [], [], [])
    assert m.get_state("a").on_enter == [] and m.get_state("a").on_exit == []
