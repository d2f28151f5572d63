"""Case workflows on ``transitions``: definitions (data), guards, machines, the runtime and its reactions.

- :mod:`.definition` — workflow definitions as YAML or Python data, extension, validation
- :mod:`.guards` — the guard registry and caseflow's guards
- :mod:`.machine` — one shared ``transitions.Machine`` per definition, no models
- :mod:`.runtime` — :class:`Workflows`: events -> transitions, decisions and audit records; :func:`replay`
- :mod:`.reactions` — the extension point: what events, transitions and decisions do to a case
- :mod:`.diagram` — mermaid state diagrams
- ``definitions/`` — the shipped workflows (tier1, tier2, after-sales, dispute, chargeback)
"""

from ..model.events import Actor, AuditRecord, WorkflowEvent
from .definition import (
    StateDef,
    TransitionDef,
    WorkflowDefinition,
    load_workflow,
    load_workflow_data,
    load_workflows,
)
from .guards import GuardContext, GuardRegistry, default_guards
from .reactions import EventFields, PolicyActions, Reaction, TransitionStep, default_reactions
from .runtime import Outcome, Workflows, replay

__all__ = [
    "Actor",
    "AuditRecord",
    "EventFields",
    "GuardContext",
    "GuardRegistry",
    "Outcome",
    "PolicyActions",
    "Reaction",
    "StateDef",
    "TransitionDef",
    "TransitionStep",
    "WorkflowDefinition",
    "WorkflowEvent",
    "Workflows",
    "default_guards",
    "default_reactions",
    "load_workflow",
    "load_workflow_data",
    "load_workflows",
    "replay",
]
