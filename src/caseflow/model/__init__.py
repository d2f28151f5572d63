"""The nouns every stage uses, as pydantic v2 models: cases, money, decisions, events and audit records.

- :mod:`.case` — :class:`Case` and its parts, :func:`parse_case`
- :mod:`.money` — :class:`Money`, a Decimal with a currency
- :mod:`.decision` — :class:`Decision`, :class:`Explanation` and their traces
- :mod:`.events` — :class:`Actor`, :class:`WorkflowEvent`, :class:`AuditRecord`
"""

from .case import (
    Author,
    Case,
    CaseType,
    Channel,
    Dispute,
    DisputeReason,
    Evidence,
    EvidenceKind,
    Item,
    ItemCondition,
    Message,
    Order,
    Party,
    PartyHistory,
    Priority,
    Request,
    RequestKind,
    RiskSignals,
    SaleType,
    Segment,
    Shipment,
    ShipmentStatus,
    TrackingEvent,
    parse_case,
)
from .decision import (
    ConditionTrace,
    Decision,
    DecisionAction,
    Explanation,
    FiredRule,
    PolicyRef,
    PolicyTrace,
    RuleTrace,
)
from .events import Actor, AuditRecord, WorkflowEvent
from .money import Money

__all__ = [
    "Actor",
    "AuditRecord",
    "Author",
    "Case",
    "CaseType",
    "Channel",
    "ConditionTrace",
    "Decision",
    "DecisionAction",
    "Dispute",
    "DisputeReason",
    "Evidence",
    "EvidenceKind",
    "Explanation",
    "FiredRule",
    "Item",
    "ItemCondition",
    "Message",
    "Money",
    "Order",
    "Party",
    "PartyHistory",
    "PolicyRef",
    "PolicyTrace",
    "Priority",
    "Request",
    "RequestKind",
    "RiskSignals",
    "RuleTrace",
    "SaleType",
    "Segment",
    "Shipment",
    "ShipmentStatus",
    "TrackingEvent",
    "WorkflowEvent",
    "parse_case",
]
