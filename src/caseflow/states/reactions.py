"""Reactions: the one extension point through which the workflow runtime changes a case beyond its states.

The runtime (:mod:`.runtime`) moves cases between states, asks the policies and fires the
transitions their actions map to. Everything else an event does to a case - text it carries,
a priority a policy sets, an SLA mark a timer records - is done by *reactions* that subscribe
to the runtime: objects with any of these methods (the defaults do nothing)::

    class Reaction:
        def on_event(self, case, event) -> Mapping[str, object]: ...        # before the event's trigger fires
        def on_transition(self, step) -> Mapping[str, object]: ...          # after each transition
        def on_decision(self, case, decision) -> Mapping[str, object]: ...  # after each policy decision
        def action_rank(self, action) -> int: ...                        # the order actions react in

Each hook returns the case fields to change (a mapping of field name to new value); the
runtime applies them, records them in the audit record of that step, and :func:`caseflow.replay`
rebuilds them. Subclass :class:`Reaction`, or give any object with some of these methods. A
reaction names no code from a policy file: apps pass Python objects
(``Workflows(reactions=[*default_reactions(), MyReaction()])``).

caseflow's own reactions, in :func:`default_reactions`:

- :class:`EventFields` copies the text an event carries (root cause, knowledge-base summary,
  resolution, authority) onto the case;
- :class:`caseflow.sla.SlaMarks` records an SLA timer's warning or breach on the case;
- :class:`PolicyActions` applies ``set_priority`` and ``add_tag`` and lets escalations react
  first, the most severe first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..model.case import Case, Priority
from ..model.decision import Decision, DecisionAction
from ..model.events import EventValue, WorkflowEvent
from ..sla.marks import SlaMarks
from .definition import TransitionDef

__all__ = ["EventFields", "PolicyActions", "Reaction", "TransitionStep", "default_reactions"]

Updates = Mapping[str, object]
"""What a hook returns: case field name -> its new value (a model such as a priority, or its JSON form)."""
_NONE: Updates = {}


@dataclass(frozen=True, slots=True)
class TransitionStep:
    """One transition the runtime just made: what fired it and with which data."""

    workflow: str
    trigger: str
    from_state: str
    to_state: str
    transition: TransitionDef
    data: Mapping[str, EventValue] = field(default_factory=dict)
    by_event: bool = True  # False: a reaction to a policy action or another transition fired it


class Reaction:
    """Base class of reactions: override the hooks you need (each returns the case fields to change)."""

    def on_event(self, case: Case, event: WorkflowEvent) -> Updates:
        """Fields an arriving event changes, before its trigger fires."""
        return _NONE

    def on_transition(self, step: TransitionStep) -> Updates:
        """Fields a transition changes besides the workflow state."""
        return _NONE

    def on_decision(self, case: Case, decision: Decision) -> Updates:
        """Fields a policy decision changes."""
        return _NONE

    def action_rank(self, action: DecisionAction) -> int:
        """Where ``action`` reacts among the decision's actions: lower first (ties keep the decision's order)."""
        return 0


class EventFields(Reaction):
    """Text an event carries in its data is written onto the case: ``root_cause``, ``kb_summary``,
    ``resolution`` and ``authority``. A policy's hand-off to an authority (a transition guarded by
    ``has_authority``, fired in reaction to an ``escalate`` action) names the authority on the case."""

    def __init__(self, fields: Sequence[str] = ("root_cause", "kb_summary", "resolution", "authority")) -> None:
        self.fields = tuple(fields)

    def on_event(self, case: Case, event: WorkflowEvent) -> Updates:
        data = event.data
        return {k: v for k in self.fields if isinstance(v := data.get(k), str)}

    def on_transition(self, step: TransitionStep) -> Updates:
        authority = step.data.get("authority")
        if not step.by_event and isinstance(authority, str) and "has_authority" in step.transition.guards:
            return {"authority": authority}
        return _NONE


_SEVERITY = {"low": 1, "medium": 2, "high": 3, "critical": 4}


class PolicyActions(Reaction):
    """``set_priority`` sets the case's priority, ``add_tag`` adds a tag; ``escalate`` actions react
    before the others, the most severe first (so the highest severity decides the hand-off)."""

    def on_decision(self, case: Case, decision: Decision) -> Updates:
        updates: dict[str, object] = {}
        tags = list(case.tags)
        for a in decision.actions:
            if a.type == "set_priority":
                updates["priority"] = Priority(a.params["priority"])
            elif a.type == "add_tag" and a.params["tag"] not in tags:
                tags.append(a.params["tag"])
        if tags != case.tags:
            updates["tags"] = tags
        return updates

    def action_rank(self, action: DecisionAction) -> int:
        if action.type == "escalate":
            return -_SEVERITY.get(str(action.params.get("severity")), 0)
        return 1


def default_reactions() -> list[Reaction | SlaMarks]:
    """caseflow's reactions, in the order they run: event fields, SLA marks, policy actions."""
    return [EventFields(), SlaMarks(), PolicyActions()]
