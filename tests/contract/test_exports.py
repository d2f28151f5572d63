"""Pin each public package's exported names: a change here is a change of that package's public API.

The root ``caseflow.__all__`` is pinned in test_public_api.py."""

import importlib

import pytest

EXPECTED_MODEL = {
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
}

EXPECTED_POLICIES = {
    "Action",
    "ActionCatalogue",
    "ActionSpec",
    "FactRegistry",
    "FactSpec",
    "FactType",
    "Policy",
    "PolicySet",
    "Rule",
    "default_actions",
    "default_facts",
    "load_policies",
    "load_policy_text",
}

EXPECTED_ENGINE = {
    "Engine",
}

EXPECTED_STATES = {
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
}

EXPECTED_SLA = {
    "BusinessCalendar",
    "CalendarError",
    "Pause",
    "SlaClock",
    "SlaMarks",
    "SlaStatus",
    "SlaTracker",
    "Timer",
    "TimerQueue",
    "TrackedClock",
    "load_calendars",
}

EXPECTED_RISK = {
    "Alert",
    "Correlator",
    "Detector",
    "Signal",
    "SignalEvent",
    "SignalLabel",
    "SignalProvider",
    "SignalScore",
    "TextModel",
    "TextModelSignal",
    "load_detectors",
    "register_signal_provider",
    "register_text_model",
}

EXPECTED_STORE = {
    "CaseService",
    "Effect",
    "Effects",
    "EventError",
    "FailedEvent",
    "OutboxMessage",
    "SCHEMA_VERSION",
    "Store",
    "WorkReport",
    "current_version",
    "default_effects",
    "open_store",
    "upgrade",
}

EXPECTED_TESTING = {
    "FixedClock",
    "decide",
    "make_case",
}

EXPECTED_TOOLS = {
    "Report",
    "SimulationReport",
    "build_report",
    "generate_cases",
    "simulate_file",
    "simulate_store",
}


PACKAGES = {
    "caseflow.model": EXPECTED_MODEL,
    "caseflow.policies": EXPECTED_POLICIES,
    "caseflow.engine": EXPECTED_ENGINE,
    "caseflow.states": EXPECTED_STATES,
    "caseflow.sla": EXPECTED_SLA,
    "caseflow.risk": EXPECTED_RISK,
    "caseflow.store": EXPECTED_STORE,
    "caseflow.testing": EXPECTED_TESTING,
    "caseflow.tools": EXPECTED_TOOLS,
}


@pytest.mark.parametrize(("name", "expected"), list(PACKAGES.items()), ids=list(PACKAGES))
def test_package_exports_are_pinned(name, expected):
    pkg = importlib.import_module(name)
    assert set(pkg.__all__) == expected
    for export in pkg.__all__:
        assert hasattr(pkg, export), f"{name}.{export}"
