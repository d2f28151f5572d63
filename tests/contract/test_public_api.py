"""Pin the public names: a change here is a change of the public API."""

import caseflow
from tests.helpers import ROOT

EXPECTED = {
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
    # workflows (issue 3)
    "Actor",
    "AuditRecord",
    "GuardContext",
    "GuardRegistry",
    "Outcome",
    "ReactionLimitError",
    "StateDef",
    "TransitionDef",
    "TransitionNotAllowed",
    "TransitionRefused",
    "WorkflowDefinition",
    "WorkflowDefinitionError",
    "WorkflowError",
    "WorkflowEvent",
    "Workflows",
    "default_guards",
    "load_workflow",
    "load_workflow_data",
    "load_workflows",
    "replay",
    # correlation (issue 5)
    "Alert",
    "Correlator",
    "Detector",
    "SignalEvent",
    "load_detectors",
    # service levels (issue 4)
    "BusinessCalendar",
    "SlaClock",
    "SlaStatus",
    "SlaTracker",
    "Timer",
    "TimerQueue",
    "load_calendars",
    # durable store (issue 6)
    "CaseService",
    "ConcurrencyError",
    "DocumentError",
    "MigrationError",
    "OutboxMessage",
    "StoreError",
    "open_store",
    # times without a time zone, money that is none (also ValueError)
    "MoneyError",
    "TimeError",
    # signal providers (issue 17)
    "Signal",
    "SignalError",
    "SignalProvider",
    "register_signal_provider",
}


def test_exported_names_are_pinned():
    assert set(caseflow.__all__) == EXPECTED
    for name in caseflow.__all__:
        assert hasattr(caseflow, name), name


def test_every_error_code_raised_has_its_section_in_the_docs():
    import re

    root = ROOT
    codes = set()
    for f in (root / "src" / "caseflow").rglob("*.py"):
        codes |= set(re.findall(r'code\s*=\s*"([a-z0-9-]+)"', f.read_text(encoding="utf-8")))
    anchors = set(re.findall(r'id="([a-z0-9-]+)"', (root / "docs" / "errors.md").read_text(encoding="utf-8")))
    assert codes, "no codes found: the pattern is stale"
    assert sorted(codes - anchors) == []
