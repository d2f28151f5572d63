"""Actors, events and data the workflow tests share."""

from __future__ import annotations

from datetime import timedelta

from caseflow.states import Actor, WorkflowEvent, Workflows
from caseflow.testing import make_case
from tests.helpers import NOW

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


def opened(flows: Workflows, **overrides):
    return flows.open(make_case(**overrides), actor=SYSTEM, at=NOW)
