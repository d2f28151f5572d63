"""Events and the audit records they leave: what crosses from the workflows to the SLA clocks and the store.

An :class:`Actor` fires a :class:`WorkflowEvent` (a trigger, or ``evaluate``); applying it leaves
append-only :class:`AuditRecord` values, from which a case can be rebuilt exactly
(:func:`caseflow.replay`) and its SLA clocks recomputed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, NamedTuple

from pydantic import AwareDatetime, Field

from ._base import Frozen, JsonDict, trusted

__all__ = ["SYSTEM", "Actor", "AuditRecord", "EventValue", "RecordKind", "TriggerRef", "WorkflowEvent", "make_record"]

SYSTEM = "system"
RecordKind = Literal["opened", "transition", "decision", "reaction_refused", "sla_retarget", "sla_recompute"]
"""What a record is: an opening, a transition, a decision, a refused reaction; or, from a store that
tracks SLA clocks, a target chosen again (``sla_retarget``) or timers recomputed for new SLA
policies (``sla_recompute``), which change nothing of the case but say why its clocks changed."""
EventValue = str | int | float | bool | None


class TriggerRef(NamedTuple):
    """A trigger of a named workflow: what a transition's ``then`` or an SLA deadline's ``on_breach`` fires."""

    workflow: str
    trigger: str


class Actor(Frozen):
    id: str = Field(min_length=1)
    role: str = Field(min_length=1)


class WorkflowEvent(Frozen):
    """An event or command: fire ``trigger`` (or ``evaluate`` the policies) as ``actor`` at ``at``."""

    id: str = Field(min_length=1, description="unique: the same id twice is applied once")
    trigger: str = Field(min_length=1, description="a workflow trigger, or 'evaluate'")
    workflow: str | None = Field(
        default=None, description="which workflow; needed only when two running ones share the trigger"
    )
    actor: Actor
    at: AwareDatetime
    reason: str | None = None
    data: dict[str, EventValue] = Field(default_factory=dict)


class AuditRecord(Frozen):
    """One append-only record: a transition, a decision, an opening or a refused reaction."""

    case_id: str
    version: int = Field(description="the case version this event produced")
    seq: int = Field(description="order within the event")
    event_id: str
    kind: RecordKind
    at: AwareDatetime
    actor_id: str
    role: str
    workflow: str | None = None
    trigger: str | None = None
    from_state: str | None = None
    to_state: str | None = None
    reason: str | None = None
    rule_ids: list[str] = Field(default_factory=list)
    policy_versions: list[str] = Field(default_factory=list)
    changes: dict[str, Any] = Field(default_factory=dict, description="case fields after this step (JSON)")


_RECORD_FIELDS = frozenset(AuditRecord.model_fields)


def make_record(
    case_id: str,
    version: int,
    seq: int,
    event_id: str,
    kind: RecordKind,
    at: datetime,
    actor_id: str,
    role: str,
    *,
    workflow: str | None = None,
    trigger: str | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    reason: str | None = None,
    rule_ids: list[str] | None = None,
    policy_versions: list[str] | None = None,
    changes: JsonDict | None = None,
) -> AuditRecord:
    """A record from values caseflow made itself, not validated again (the workflow tests pin it against
    full validation)."""
    return trusted(
        AuditRecord,
        {
            "case_id": case_id,
            "version": version,
            "seq": seq,
            "event_id": event_id,
            "kind": kind,
            "at": at,
            "actor_id": actor_id,
            "role": role,
            "workflow": workflow,
            "trigger": trigger,
            "from_state": from_state,
            "to_state": to_state,
            "reason": reason,
            "rule_ids": [] if rule_ids is None else rule_ids,
            "policy_versions": [] if policy_versions is None else policy_versions,
            "changes": {} if changes is None else changes,
        },
        set(_RECORD_FIELDS),
    )  # a set of its own: model_copy(update=...) adds to it
