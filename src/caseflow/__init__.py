"""caseflow: customer-service cases, YAML policies, a rules engine, explained decisions.

The public API is what ``__all__`` lists; modules whose names start with ``_`` are private.
"""

from .case import (
    Author,
    Case,
    CaseType,
    Channel,
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
from .clock import Clock, FixedClock, SystemClock
from .decision import ConditionTrace, Decision, DecisionAction, Explanation, FiredRule, PolicyRef, PolicyTrace, RuleTrace
from .engine import Engine
from .errors import (
    BackendError,
    CaseDataError,
    CaseflowError,
    EvaluationError,
    FactError,
    FieldProblem,
    PolicyError,
    PolicyIssue,
    PolicyTestError,
    PolicyValidationError,
)
from .facts import FactRegistry, FactSpec, FactType, default_facts
from .money import Money
from .policies.actions import ActionCatalogue, ActionSpec, default_actions
from .policies.loader import load_policies, load_policy_text
from .policies.model import Action, Policy, PolicySet, Rule

__version__ = "0.1.0"

__all__ = [
    "Action",
    "ActionCatalogue",
    "ActionSpec",
    "Author",
    "BackendError",
    "Case",
    "CaseDataError",
    "CaseType",
    "CaseflowError",
    "Channel",
    "Clock",
    "ConditionTrace",
    "Decision",
    "DecisionAction",
    "Engine",
    "EvaluationError",
    "Evidence",
    "EvidenceKind",
    "Explanation",
    "FactError",
    "FactRegistry",
    "FactSpec",
    "FactType",
    "FieldProblem",
    "FiredRule",
    "FixedClock",
    "Item",
    "ItemCondition",
    "Message",
    "Money",
    "Order",
    "Party",
    "PartyHistory",
    "Policy",
    "PolicyError",
    "PolicyIssue",
    "PolicyRef",
    "PolicySet",
    "PolicyTestError",
    "PolicyTrace",
    "PolicyValidationError",
    "Priority",
    "Request",
    "RequestKind",
    "RiskSignals",
    "Rule",
    "RuleTrace",
    "SaleType",
    "Segment",
    "Shipment",
    "ShipmentStatus",
    "SystemClock",
    "TrackingEvent",
    "__version__",
    "default_actions",
    "default_facts",
    "load_policies",
    "load_policy_text",
    "parse_case",
]
