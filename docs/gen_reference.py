"""Write the generated reference pages of the documentation from caseflow itself.

Run from the repository root after changing an action, a fact, a workflow definition, a guard,
the case model, the decision and event models or a YAML document model:

    python docs/gen_reference.py

It (re)writes the files named in ``PAGES`` under ``docs/``; commit them. ``tests/contract/test_docs.py``
builds the same pages in memory and fails when a committed one differs. Nothing here is copied
by hand from the source: tables come from ``default_actions()``, ``default_facts()``, the shipped
workflow definitions, ``default_guards()`` and the pydantic models. What the models cannot say
(a guard's check, a rule a validator enforces) is in the ``*_NOTES`` mappings below, and the
generator fails when one of them names something that no longer exists, or when a guard has no
description.
"""

from __future__ import annotations

import importlib
import json
import sys
import types
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import AwareDatetime, BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from caseflow import load_workflows, parse_case
from caseflow.model import case as case_module
from caseflow.model import decision as decision_module
from caseflow.model import events as events_module
from caseflow.model.money import Money
from caseflow.policies.actions import default_actions
from caseflow.policies.authorities import AuthoritiesDocument, AuthorityDocument
from caseflow.policies.facts import FactType, default_facts
from caseflow.policies.schema import EffectiveDocument, PolicyDocument, RuleDocument
from caseflow.risk.detectors import DetectorDocument, DetectorsDocument
from caseflow.sla.calendar import CalendarDocument, CalendarsDocument
from caseflow.states.definition import (
    ALWAYS_STARTED,
    BUILTIN_ROLES,
    DEFAULT_CASE_WORKFLOWS,
    StateDocument,
    ThenDocument,
    TransitionDocument,
    WorkflowDefinition,
    WorkflowDocument,
)
from caseflow.states.guards import default_guards
from caseflow.testing.policytest import (
    Expectation,
    GivenSignal,
    PolicyTestDocument,
    PolicyTestFileDocument,
    SignalDeclaration,
)

DOCS = Path(__file__).resolve().parent
HEADER = "<!-- generated from caseflow itself: do not edit; run python docs/gen_reference.py -->\n\n"

# ------------------------------------------------------------------------------------------
# what the models cannot say
# ------------------------------------------------------------------------------------------

GUARD_CHECKS: dict[str, str] = {
    "reason_given": "the event has a `reason` that is not blank",
    "within_tier1_refund_limit": (
        "passes for every role but `tier1_agent`; for a tier-1 agent, the refund amount (`data.amount`, "
        "else the request's amount, else the first order's total) must be at most the workflow's "
        "`params.tier1_refund_limit` for its currency. Refused when no amount is found, or no limit is "
        "set for the currency (tier 2 or a supervisor must approve)"
    ),
    "has_root_cause": "`data.root_cause`, else the case's `root_cause`, is a non-blank string",
    "has_kb_summary": "`data.kb_summary`, else the case's `kb_summary`, is a non-blank string",
    "has_authority": (
        "`data.authority` is one of the `escalate` action's authorities: "
        "legal, regulator, trust_safety, fraud, payments, safety, pr, product, warehouse, logistics, supervisor"
    ),
    "severe_if_automatic": (
        "passes for every role but `system`; for `system` (a policy reaction) `data.severity` must be "
        "`high` or `critical`: people may hand any case to an authority, a policy only a severe one"
    ),
    "has_evidence": "the case has evidence, or the event's `data.evidence` is set",
    "has_tracking": "`data.tracking_number` is set",
    "has_outcome": "`data.outcome` is `buyer`, `seller` or `split`",
}

# (model, field) -> a rule a validator enforces that the field's annotation does not show
VALIDATOR_NOTES: dict[tuple[type[BaseModel], str], str] = {
    (case_module.Party, "region"): "two letters (ISO 3166-1 alpha-2); stored upper-case",
    (case_module.Order, "items"): "every item's `unit_price` is in the order's currency",
    (case_module.Case, "tags"): "no tag twice",
    (Money, "amount"): "finite; a JSON number is read through its shortest spelling (`0.1` is exactly 0.1)",
    (Money, "currency"): "an active ISO 4217 code (CNY, IDR, VND, USD, ...); stored upper-case",
}

ACTION_NOTES: dict[tuple[str, str], str] = {
    ("approve_refund", "amount"): "`requested`, `full` or money such as `50 CNY`",
    ("sla_target", "within"): "a positive duration: `30s`, `10m`, `8h`, `2d`, `1w`",
    ("sla_target", "escalate_every"): "a positive duration",
    ("sla_target", "start"): "`opened`, `trigger` or `workflow:state`",
    ("sla_target", "stop_in"): "each `workflow:state`",
    ("sla_target", "pause_in"): "each `workflow:state`",
    ("sla_target", "start_on"): "each `workflow.trigger`, e.g. `tier1.customer_replied`",
    ("sla_target", "stop_on"): "each `workflow.trigger`",
    ("sla_target", "warn_at"): "percentages from 1 to 99; sorted, repeats dropped",
    ("sla_target", "deadline_from"): "the name of a deadline in the case's `deadlines`",
}

# (model, field) -> what the field means, where its Field() gives no description
_d, _e = decision_module, events_module
FIELD_DOCS: dict[tuple[type[BaseModel], str], str] = {
    (case_module.Case, "id"): "the case id; unique in a store",
    (case_module.Case, "shop_id"): "the shop, on a platform of many shops",
    (case_module.Case, "channel"): "the channel the case came in on",
    (case_module.Case, "case_type"): "what the case is about; picks the workflows it starts in",
    (case_module.Case, "priority"): "set by people, by a transition's `set`, or by a `set_priority` action",
    (case_module.Case, "tier"): "the support tier holding the case; a hand-off to tier 2 sets 2",
    (case_module.Case, "buyer"): "the buyer (the `buyer.*` facts)",
    (case_module.Case, "seller"): "the seller (the `seller.*` facts)",
    (case_module.Case, "creator"): "a creator (live seller, influencer) involved (the `creator.*` facts)",
    (case_module.Case, "orders"): "the orders the case is about; the first is the one the `order.*` facts read",
    (case_module.Case, "request"): "what the customer asks for",
    (case_module.Case, "dispute"): "the dispute, on a dispute or chargeback case",
    (case_module.Case, "evidence"): "photos, videos, documents attached",
    (case_module.Case, "messages"): "the conversation",
    (case_module.Case, "tags"): "labels; an `add_tag` action adds one",
    (case_module.Case, "risk"): "risk signals an app computed",
    (case_module.Case, "created_at"): "when the case was opened",
    (case_module.Case, "updated_at"): "the time of the last event applied (set by caseflow)",
    (case_module.Case, "root_cause"): "set from an event's `data.root_cause`",
    (case_module.Case, "resolution"): "set from an event's `data.resolution`",
    (case_module.Party, "id"): "the party's id",
    (case_module.Party, "segment"): "the party's segment",
    (case_module.Party, "timezone"): "an IANA time zone such as Asia/Jakarta",
    (case_module.Party, "joined_at"): "when the account was opened (`*.account_age_days`)",
    (case_module.Party, "rating"): "a seller's rating",
    (case_module.Party, "dispute_rate_30d"): "a seller's share of orders disputed over 30 days",
    (case_module.Party, "history"): "counters the app keeps",
    (case_module.Item, "sku"): "the stock-keeping unit",
    (case_module.Item, "name"): "the product's name",
    (case_module.Item, "quantity"): "how many",
    (case_module.Item, "unit_price"): "in the order's currency",
    (case_module.Item, "condition"): "the condition the buyer reports",
    (case_module.Order, "id"): "the order's id",
    (case_module.Order, "amount"): "the order total",
    (case_module.Order, "sale_type"): "how it was sold",
    (case_module.Order, "placed_at"): "when it was placed",
    (case_module.Order, "paid_at"): "when it was paid",
    (case_module.Order, "shipped_at"): "when it was shipped",
    (case_module.Order, "expected_delivery_at"): "the promised delivery date",
    (case_module.Order, "delivered_at"): "when it was delivered",
    (case_module.Order, "items"): "the item lines",
    (case_module.Order, "shipment"): "the shipment and its tracking",
    (case_module.Shipment, "status"): "the shipment's status",
    (case_module.Shipment, "events"): "tracking events; the last one is the latest",
    (case_module.TrackingEvent, "at"): "when it happened",
    (case_module.Request, "kind"): "the remedy asked for",
    (case_module.Request, "amount"): "the amount asked for (default: the order total)",
    (case_module.Request, "filed_at"): "when the request was filed",
    (case_module.Dispute, "reason"): "why it was opened",
    (case_module.Dispute, "opened_at"): "when it was opened",
    (case_module.Dispute, "opened_by"): "who opened it: `bank` for a chargeback",
    (case_module.Dispute, "seller_responded_at"): "when the seller answered",
    (case_module.Dispute, "claimed_amount"): "the amount the buyer claims (default: the order total)",
    (case_module.Dispute, "appealed"): "a party appealed the decision",
    (case_module.Message, "author"): "who wrote it",
    (case_module.Message, "language"): "a BCP 47 tag",
    (case_module.Message, "at"): "when it was written",
    (case_module.Evidence, "kind"): "what it is",
    (case_module.Evidence, "at"): "when it was attached",
    (case_module.RiskSignals, "fraud_score"): "from 0 (none) to 1",
    (case_module.RiskSignals, "account_takeover_suspected"): "the account may be in someone else's hands",
    (case_module.RiskSignals, "chargeback_filed"): "the buyer filed a chargeback with the bank",
    (Money, "amount"): "the amount, a decimal (never a binary float)",
    (Money, "currency"): "the currency",
    (_d.Decision, "case_id"): "the evaluated case's id",
    (_d.Decision, "evaluated_at"): "the time the policies were evaluated at (the engine clock's `now`, or `at=`)",
    (_d.Decision, "backend"): "`durable` or `python`",
    (_d.Decision, "actions"): "the actions to take, in order",
    (_d.Decision, "policies"): "every policy of the set, with its version and whether it was in effect",
    (_d.DecisionAction, "type"): "the action's name",
    (
        _d.DecisionAction,
        "params",
    ): "its parameters as JSON values: `$name` resolved, defaults filled in (nulls left out)",
    (_d.DecisionAction, "policy"): "the policy of the rule that took it",
    (_d.DecisionAction, "rule_id"): "the rule that took it",
    (_d.FiredRule, "policy"): "the rule's policy",
    (_d.FiredRule, "version"): "the policy's version",
    (_d.FiredRule, "rule_id"): "the rule's id",
    (_d.FiredRule, "priority"): "the rule's priority",
    (_d.PolicyRef, "name"): "the policy's name",
    (_d.PolicyRef, "version"): "its version",
    (_d.PolicyRef, "hit_policy"): "`first` or `all`",
    (
        _d.PolicyRef,
        "effective",
    ): "false when the evaluation time was outside its `effective` window: none of its rules ran",
    (_d.Explanation, "case_id"): "the case's id",
    (_d.Explanation, "evaluated_at"): "the evaluation time",
    (_d.Explanation, "policies"): "one trace per policy",
    (_d.PolicyTrace, "name"): "the policy's name",
    (_d.PolicyTrace, "version"): "its version",
    (_d.PolicyTrace, "hit_policy"): "`first` or `all`",
    (_d.PolicyTrace, "source"): "the file it was read from",
    (_d.PolicyTrace, "effective"): "whether it was in effect (when not, no rule was evaluated)",
    (_d.PolicyTrace, "rules"): "one trace per rule",
    (_d.RuleTrace, "rule_id"): "the rule's id",
    (_d.RuleTrace, "description"): "its description",
    (_d.RuleTrace, "priority"): "its priority",
    (_d.RuleTrace, "matched"): "its condition held",
    (_d.RuleTrace, "fired"): "its actions were taken (under hit policy `first`, only by the first matching rule)",
    (_d.RuleTrace, "note"): "why a matching rule did not fire",
    (_d.RuleTrace, "line"): "its line in the policy file",
    (_d.RuleTrace, "condition"): "the trace of its condition",
    (_d.RuleTrace, "actions"): "the actions it took, as text",
    (_d.ConditionTrace, "kind"): "a test, a combination (`all`, `any`, `not`) or `always`",
    (_d.ConditionTrace, "text"): "the test as written",
    (_d.ConditionTrace, "result"): "whether it held",
    (_d.ConditionTrace, "seen"): "each fact and parameter the test read → the value it saw, as text",
    (_d.ConditionTrace, "line"): "its line in the policy file",
    (_d.ConditionTrace, "children"): "the traces of the conditions it combines",
    (_e.Actor, "id"): "who acted: an agent, a party, a service",
    (
        _e.Actor,
        "role",
    ): "a built-in role (tier1_agent, tier2_specialist, supervisor, system, buyer, seller) or an app's",
    (_e.WorkflowEvent, "actor"): "who fires it",
    (_e.WorkflowEvent, "at"): "when it happened: the time of its transitions and of the policy evaluations it causes",
    (_e.WorkflowEvent, "reason"): "why; guards such as `reason_given` read it, and it is recorded",
    (_e.WorkflowEvent, "data"): (
        "scalar values guards and reactions read: `amount`, `tracking_number`, `outcome`, `authority`, "
        "`root_cause`, `kb_summary`, `resolution`, ..."
    ),
    (_e.AuditRecord, "case_id"): "the case",
    (_e.AuditRecord, "event_id"): "the event that caused it",
    (_e.AuditRecord, "kind"): "what happened",
    (_e.AuditRecord, "at"): "the event's time",
    (_e.AuditRecord, "actor_id"): "who acted (`system` for what policies and timers fired)",
    (_e.AuditRecord, "role"): "the actor's role",
    (_e.AuditRecord, "workflow"): "the workflow that moved",
    (_e.AuditRecord, "trigger"): "the trigger fired",
    (_e.AuditRecord, "from_state"): "the state before",
    (_e.AuditRecord, "to_state"): "the state after",
    (_e.AuditRecord, "reason"): "the event's reason; for `reaction_refused`, why the reaction had no effect",
    (_e.AuditRecord, "rule_ids"): "`policy/rule` of the rules that fired (decision records)",
    (_e.AuditRecord, "policy_versions"): "`name@version` of the policies evaluated (decision records)",
    (PolicyDocument, "policy"): "the policy's name, unique in a load",
    (PolicyDocument, "version"): "any text; recorded in every decision (`name@version`)",
    (PolicyDocument, "description"): "what the policy is for",
    (PolicyDocument, "effective"): "when the policy is in effect; outside it, its rules are skipped",
    (PolicyDocument, "params"): (
        "named values the rules use as `$name`: money (`200 CNY`), durations (`7d`), numbers, text, lists"
    ),
    (PolicyDocument, "rules"): "the rules",
    (RuleDocument, "id"): "unique in the policy",
    (RuleDocument, "description"): "what the rule is for (shown in explanations)",
    (RuleDocument, "enabled"): "`false`: the rule is skipped (still checked)",
    (RuleDocument, "when"): "when the rule matches; `always` for every case",
    (RuleDocument, "then"): "what it does when it acts",
    (EffectiveDocument, "from_"): "in effect from this date or time, included",
    (EffectiveDocument, "until"): "until this date or time, excluded",
    (WorkflowDocument, "workflow"): "the workflow's name",
    (WorkflowDocument, "version"): "any text",
    (WorkflowDocument, "description"): "what the workflow models",
    (WorkflowDocument, "initial"): "the state a case starts in",
    (WorkflowDocument, "states"): "the states: a name, or `{name, final, description}`",
    (WorkflowDocument, "transitions"): "the transitions",
    (StateDocument, "name"): "the state's name",
    (StateDocument, "final"): "no way out: the workflow is done",
    (StateDocument, "description"): "what the state means",
    (TransitionDocument, "trigger"): "the trigger that fires it",
    (TransitionDocument, "dest"): "the state it leads to",
    (TransitionDocument, "description"): "what it means",
    (ThenDocument, "workflow"): "the other workflow",
    (ThenDocument, "trigger"): "its trigger",
    (CalendarsDocument, "calendars"): "the calendars, by the name SLA targets use",
    (CalendarDocument, "subdivision"): "a state or province of `country`, for its own holidays",
    (DetectorsDocument, "detectors"): "the detectors",
    (DetectorDocument, "id"): "unique in the file",
    (DetectorDocument, "description"): "what it finds",
    (PolicyTestFileDocument, "tests"): "the tests",
    (PolicyTestDocument, "expect"): "what the decision must be",
}

# action -> parameter -> what it means, where the parameter model gives no description
PARAM_DOCS: dict[tuple[str, str], str] = {
    ("approve_refund", "reason"): "a reason code recorded with the approval",
    ("reject_refund", "template"): "the reply template that tells the customer",
    ("request_evidence", "kinds"): "what to ask for",
    ("request_evidence", "within_hours"): "hours the party has to send it",
    ("request_evidence", "party"): "who is asked",
    ("decide_dispute", "outcome"): "for the buyer, for the seller, or split",
    ("decide_dispute", "reason"): "the reason code of the decision",
    ("freeze_payout", "reason"): "why the payout is held",
    ("offer_options", "options"): "the remedies the customer may choose from",
    ("offer_options", "partial_compensation_percent"): "the share of the order offered as partial compensation",
    ("set_priority", "priority"): "the new priority",
    ("add_tag", "tag"): "the tag; `:` is allowed (`risk:legal`)",
    ("escalate", "tier"): "the tier the case goes to",
    ("escalate", "severity"): (
        "escalations react most severe first; a policy hands a tier-2 case to an authority only when "
        "`high` or `critical` (guard `severe_if_automatic`)"
    ),
    ("escalate", "authority"): "the team the case belongs with (recorded on the case when it is handed over)",
    ("escalate", "reason"): "a reason code",
    ("route_to_queue", "queue"): "the queue's name",
    ("notify", "target"): "who is notified",
    ("notify", "template"): "the message template",
    ("reply_template", "template"): "the reply template",
    ("reply_template", "language"): "the reply's language (BCP 47)",
    ("hold_for_review", "reason"): "why the case is held",
    ("hold_for_review", "queue"): "the review queue",
    (
        "sla_target",
        "metric",
    ): (
        "what is measured: `first_response`, `next_response`, `resolution`, `periodic_update`, "
        "a deadline's name, or an app's own"
    ),
    ("sla_target", "party"): "whose clock: clocks run per party",
    ("sla_target", "warn_at"): "warnings at these percentages of the target",
    ("sla_target", "on_breach"): "a platform deadline: the trigger its breach fires, `{workflow, trigger}`",
    ("sla_target.on_breach", "workflow"): "the workflow",
    ("sla_target.on_breach", "trigger"): "its trigger",
}

# public members of the decision and event models besides their fields (first docstring line otherwise)
MEMBER_NOTES: dict[tuple[type, str], str] = {
    (decision_module.Decision, "action_types"): "the types of `actions`, in order",
    (decision_module.Decision, "rule_ids"): "the ids of `matched_rules`, in order",
    (decision_module.Decision, "has_action"): "`has_action(type)`: whether an action of this type was decided",
    (decision_module.Decision, "summary"): "a few lines of text: the policies, then each action and its rule",
    (decision_module.Explanation, "render"): (
        "`render(only_matched=False)`: the explanation as text, rule by rule, each test with the values it saw"
    ),
}

CASE_EXAMPLE: dict[str, Any] = {
    "id": "CS-20261111-0001",
    "tenant": "tmall-shop-42",
    "shop_id": "shop-42",
    "channel": "chat",
    "case_type": "return_and_refund",
    "priority": "normal",
    "created_at": "2026-11-11T09:40:00+08:00",
    "buyer": {
        "id": "buyer-7",
        "region": "CN",
        "language": "zh-CN",
        "segment": "regular",
        "joined_at": "2021-03-02T12:00:00+08:00",
        "history": {"orders_total": 23, "refunds_90d": 1, "contacts_7d": 1},
    },
    "seller": {"id": "seller-3", "region": "CN", "rating": 4.8, "dispute_rate_30d": 0.01},
    "orders": [
        {
            "id": "TB-88001",
            "amount": "159.00 CNY",
            "sale_type": "standard",
            "placed_at": "2026-11-01T20:15:00+08:00",
            "paid_at": "2026-11-01T20:16:00+08:00",
            "shipped_at": "2026-11-02T09:00:00+08:00",
            "expected_delivery_at": "2026-11-06T23:59:00+08:00",
            "delivered_at": "2026-11-06T14:30:00+08:00",
            "items": [
                {
                    "sku": "JACKET-M-NAVY",
                    "name": "Down jacket, navy, M",
                    "category": "apparel",
                    "quantity": 1,
                    "unit_price": "159.00 CNY",
                    "condition": "new",
                }
            ],
            "shipment": {
                "carrier": "SF Express",
                "tracking_number": "SF1234567890",
                "status": "delivered",
                "events": [{"at": "2026-11-06T14:30:00+08:00", "status": "delivered", "location": "Hangzhou"}],
            },
        }
    ],
    "request": {
        "kind": "return_and_refund",
        "amount": "159.00 CNY",
        "reason": "changed_mind",
        "filed_at": "2026-11-11T09:40:00+08:00",
    },
    "messages": [
        {
            "author": "buyer",
            "language": "zh-CN",
            "at": "2026-11-11T09:40:00+08:00",
            "text": "尺码不合适，想七天无理由退货",
        }
    ],
    "evidence": [{"kind": "photo", "url": "https://example.com/p/1.jpg", "at": "2026-11-11T09:41:00+08:00"}],
    "tags": ["double-11"],
    "risk": {"fraud_score": 0.02},
    "attributes": {"warehouse": "HZ-2", "loyalty_tier": "gold"},
    "deadlines": {"seller_response": "2026-11-13T09:40:00+08:00"},
}

# ------------------------------------------------------------------------------------------
# rendering helpers
# ------------------------------------------------------------------------------------------


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(head: list[str], rows: Iterable[list[str]]) -> str:
    out = ["| " + " | ".join(head) + " |", "| " + " | ".join("---" for _ in head) + " |"]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(out) + "\n"


def _sentence(text: str) -> str:
    """A description as a sentence: capital first letter, final full stop; RST ``code`` as Markdown."""
    text = text.strip().replace("``", "`")
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _code(value: object) -> str:
    return f"`{value}`"


def _json(value: object) -> str:
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json", exclude_defaults=True)
    if isinstance(value, Decimal):
        value = str(value)
    return "`" + json.dumps(value, ensure_ascii=False) + "`"


def _anchor(name: str) -> str:
    return name.lower()


_PLACEHOLDERS = {
    "condition": "[condition](../policy-format.md#conditions)",
    "action": "[action](actions.md)",
}


class Types:
    """Renders annotations as reader's types; models and enums listed in ``linked`` become links."""

    def __init__(self, linked: Iterable[type] = (), page: str = "") -> None:
        self.linked = {t: _anchor(t.__name__) for t in linked}
        self.page = page

    def link(self, tp: type) -> str:
        return f"[{tp.__name__}]({self.page}#{self.linked[tp]})"

    def __call__(self, tp: Any, metadata: Iterable[object] = ()) -> str:  # noqa: C901 - one branch per kind
        origin, args = get_origin(tp), get_args(tp)
        for meta in [*metadata, *(args[1:] if origin is Annotated else ())]:
            schema = getattr(meta, "json_schema", None)  # the policy schema's placeholders
            if isinstance(schema, dict) and schema.get("x-caseflow-def") in _PLACEHOLDERS:
                return _PLACEHOLDERS[schema["x-caseflow-def"]]
        if tp is type(None):
            return "null"
        if origin is Annotated:
            return self(args[0])
        if origin in (Union, types.UnionType):
            parts = [self(a) for a in args if a is not type(None)]
            return " or ".join(parts) + (" or null" if type(None) in args else "")
        if origin is Literal:
            return _json(args[0]) if len(args) == 1 else "one of " + ", ".join(_json(a) for a in args)
        if type(tp).__name__ == "TypeAliasType":  # JsonValue, YamlValue: any JSON (or YAML) value
            return "any" if tp.__name__ in ("JsonValue", "YamlValue") else self(tp.__value__)
        if origin in (list, tuple):
            return "list of " + self(args[0])
        if origin is dict:
            return f"mapping of {self(args[0])} → {self(args[1])}"
        if isinstance(tp, type) and tp in self.linked:
            return self.link(tp)
        if isinstance(tp, type) and issubclass(tp, Enum):
            return "one of " + ", ".join(_json(m.value) for m in tp)
        names: dict[Any, str] = {
            str: "string",
            int: "integer",
            float: "number",
            bool: "boolean",
            Decimal: "decimal (a number or a string)",
            AwareDatetime: "date-time with an offset",
            datetime: "date-time",
            date: "date",
            object: "any",
            Any: "any",
        }
        if tp in names:
            return names[tp]
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            return "mapping: " + ", ".join(f"`{f.alias or n}`" for n, f in tp.model_fields.items())
        return str(getattr(tp, "__name__", tp))


def _meta_constraints(m: object) -> list[str]:
    out: list[str] = []
    words = {"gt": "> {}", "ge": ">= {}", "lt": "< {}", "le": "<= {}"}
    for attr, fmt in words.items():
        if (v := getattr(m, attr, None)) is not None:
            out.append(fmt.format(v))
    if (v := getattr(m, "min_length", None)) is not None:
        out.append("not empty" if v == 1 else f"at least {v} long")
    if (v := getattr(m, "max_length", None)) is not None:
        out.append(f"at most {v} long")
    if (v := getattr(m, "pattern", None)) is not None:
        out.append(f"matches `{v}`")
    return out


def _annotated_constraints(tp: Any, each: bool) -> list[str]:
    """Constraints an ``Annotated`` inside a field's type carries (``list[Annotated[str, pattern]]``)."""
    origin, args = get_origin(tp), get_args(tp)
    if origin is Annotated:
        found = [c for meta in args[1:] for m in getattr(meta, "metadata", []) for c in _meta_constraints(m)]
        return [f"each {c}" if each else c for c in found]
    if origin in (list, tuple, dict):
        return [c for a in args for c in _annotated_constraints(a, True)]
    if origin in (Union, types.UnionType):
        return [c for a in args for c in _annotated_constraints(a, each)]
    return []


def _constraints(f: FieldInfo) -> list[str]:
    out = [c for m in f.metadata for c in _meta_constraints(m)]
    for c in _annotated_constraints(f.annotation, False):
        if c not in out:
            out.append(c)
    return out


def _default(f: FieldInfo) -> str:
    if f.default_factory is not None:
        return _json(f.default_factory())  # type: ignore[call-arg]
    if f.default is PydanticUndefined:
        return "required"
    return _json(f.default)


def _fields_table(
    model: type[BaseModel], render: Types, notes: Mapping[str, str] = {}, docs: Mapping[str, str] = {}
) -> str:
    rows = []
    for name, f in model.model_fields.items():
        extra = [*_constraints(f), *([notes[name]] if name in notes else [])]
        rows.append(
            [
                _code(f.alias or name),
                render(f.annotation, f.metadata),
                "**required**" if f.is_required() else _default(f),
                "; ".join(extra),
                f.description or docs.get(name) or FIELD_DOCS.get((model, name), ""),
            ]
        )
    return _table(["field", "type", "default", "constraints", "description"], rows)


def _validator_notes(model: type[BaseModel]) -> dict[str, str]:
    return {field: text for (m, field), text in VALIDATOR_NOTES.items() if m is model}


def _check_notes() -> None:
    for (model, name), _ in VALIDATOR_NOTES.items():
        if name not in model.model_fields:
            raise SystemExit(f"gen_reference.py: VALIDATOR_NOTES names {model.__name__}.{name}, which is gone")
    catalogue = default_actions()
    for action, param in ACTION_NOTES:
        spec = catalogue.lookup(action)
        if spec is None or param not in spec.params.model_fields:
            raise SystemExit(f"gen_reference.py: ACTION_NOTES names {action}.{param}, which is gone")
    for (model, name), _ in FIELD_DOCS.items():
        if name not in model.model_fields:
            raise SystemExit(f"gen_reference.py: FIELD_DOCS names {model.__name__}.{name}, which is gone")
    for action, param in PARAM_DOCS:
        name, _, nested = action.partition(".")
        spec = catalogue.lookup(name)
        params = spec.params.model_fields if spec is not None else {}
        if nested and nested in params:
            inner = [a for a in get_args(params[nested].annotation) if isinstance(a, type) and issubclass(a, BaseModel)]
            params = inner[0].model_fields if inner else {}
        if param not in params:
            raise SystemExit(f"gen_reference.py: PARAM_DOCS names {action}.{param}, which is gone")
    for cls, member in MEMBER_NOTES:
        if member not in vars(cls):
            raise SystemExit(f"gen_reference.py: MEMBER_NOTES names {cls.__name__}.{member}, which is gone")


# ------------------------------------------------------------------------------------------
# pages
# ------------------------------------------------------------------------------------------


def actions_page() -> str:
    catalogue = list(default_actions())
    out = [
        HEADER,
        "# Actions\n\n",
        "Every action a rule's `then` may take (`caseflow actions` lists the same catalogue). An action is\n"
        "written as its bare name (`- apologize`) or as a mapping of one key to its parameters\n"
        "(`- escalate: {tier: 2, severity: high, authority: legal}`). Unknown parameters are errors\n"
        "(`policy-unknown-param`), and every parameter may also be given as `$name`, a parameter the\n"
        "policy declares under `params:`. Apps add actions with `ActionCatalogue.register(name, ParamsModel,\n"
        "description)`; what an action does to a case is a reaction (see [Workflows](../workflows.md)),\n"
        "its side effect an outbox effect (see [The case store](../store.md#the-outbox)).\n\n",
        _table(
            ["action", "what it does", "parameters"],
            [
                [
                    f"[`{s.name}`](#{s.name})",
                    _sentence(s.description),
                    ", ".join(f"`{n}`" for n in s.params.model_fields) or "none",
                ]
                for s in catalogue
            ],
        ),
    ]
    render = Types()
    for s in catalogue:
        out.append(f"\n## {s.name}\n\n{_sentence(s.description)}\n\n")
        if s.params.__doc__ and s.params.__doc__.strip() != "The parameters of an action.":
            out.append(s.params.__doc__.strip() + "\n\n")
        if not s.params.model_fields:
            out.append("No parameters: write `- " + s.name + "`.\n")
            continue
        notes = {p: text for (a, p), text in ACTION_NOTES.items() if a == s.name}
        docs = {p: text for (a, p), text in PARAM_DOCS.items() if a == s.name}
        out.append(_fields_table(s.params, render, notes, docs).replace("| field |", "| parameter |", 1))
        for name, f in s.params.model_fields.items():
            nested = [a for a in (f.annotation, *get_args(f.annotation)) if isinstance(a, type)]
            for model in nested:
                if issubclass(model, BaseModel):
                    docs = {p: text for (a, p), text in PARAM_DOCS.items() if a == f"{s.name}.{name}"}
                    table = _fields_table(model, render, docs=docs).replace("| field |", "| key |")
                    out.append(f"\n`{name}` holds:\n\n" + table)
    return "".join(out)


_GROUPS = {
    "case": "The case",
    "buyer": "The buyer",
    "seller": "The seller",
    "creator": "The creator",
    "order": "The order (the case's first order)",
    "items": "The order's items",
    "tracking": "The order's shipment",
    "request": "The request",
    "dispute": "The dispute",
    "evidence": "Evidence",
    "message": "The latest customer message",
    "messages": "All customer messages",
    "risk": "Risk signals",
    "sla": "Service levels",
    "now": "Time",
}


def facts_page() -> str:
    registry = default_facts()
    groups: dict[str, list[Any]] = {}
    for spec in registry:
        groups.setdefault(spec.name.split(".")[0], []).append(spec)
    unknown = set(groups) - set(_GROUPS)
    if unknown:
        raise SystemExit(f"gen_reference.py: name a section for the fact namespaces {sorted(unknown)} in _GROUPS")
    out = [
        HEADER,
        "# Facts\n\n",
        f"The {len(registry)} facts a policy may test (`caseflow facts`, or `caseflow facts --json` for tools).\n"
        "A fact is derived from the case when a policy reads it, at the engine clock's `now`; a fact that does\n"
        "not apply (no order, not delivered yet) is *missing*, and every comparison with a missing fact is\n"
        "false. How to test them: [Policy files](../policy-format.md#conditions); how apps add facts:\n"
        "[Facts](../facts.md).\n\n",
        "Types: "
        + ", ".join(f"`{t.value}`" for t in FactType)
        + ". An `enum` fact takes one of the values listed; a `money` fact is compared with money of the same\n"
        "currency (`200 CNY`); a `datetime` fact with a time, or with `more than N days ago` and the like;\n"
        "`strings` is a list of text, tested with `contains`, `in` and `not in`.\n",
    ]
    for prefix, title in _GROUPS.items():
        if prefix not in groups:
            continue
        rows = [
            [
                _code(s.name),
                s.type.value,
                ", ".join(_code(c) for c in s.choices) if s.choices else (s.unit or ""),
                s.description,
            ]
            for s in groups[prefix]
        ]
        out.append(f"\n## {title}\n\n" + _table(["fact", "type", "values / unit", "description"], rows))
    return "".join(out)


def _started_by(d: WorkflowDefinition, all_defs: list[WorkflowDefinition]) -> str:
    if d.name in ALWAYS_STARTED:
        return "every case, when it is opened"
    types_ = [t for t, names in DEFAULT_CASE_WORKFLOWS.items() if d.name in names]
    starters = [f"`{o.name}.{t.trigger}`" for o in all_defs for t in o.transitions if t.start == d.name]
    parts = []
    if types_:
        parts.append("a case of type " + " or ".join(_code(t) for t in types_) + ", when it is opened")
    if starters:
        parts.append("the transition " + ", ".join(starters))
    return "; ".join(parts) or "an app (`Workflows(start=...)` or `case_workflows=`)"


def _effects(t: Any) -> str:
    parts = []
    if t.evaluate:
        parts.append("evaluates the policies")
    if t.start:
        parts.append(f"starts `{t.start}`")
    for k, v in t.set:
        parts.append(f"sets `{k}` to `{v}`")
    if t.then is not None:
        parts.append(f"then fires `{t.then.workflow}.{t.then.trigger}`")
    return "; ".join(parts)


WORKFLOW_ORDER = [
    "tier1",
    "tier2",
    "refund_only",
    "return_and_refund",
    "exchange",
    "reship",
    "partial_compensation",
    "dispute",
    "chargeback",
]  # the order of the pages; a workflow not listed comes after these, by name


def transitions_page() -> str:
    defs = load_workflows()
    order = {name: i for i, name in enumerate(WORKFLOW_ORDER)}
    defs.sort(key=lambda d: (order.get(d.name, len(order)), d.name))
    registry = default_guards()
    missing = registry.names() - set(GUARD_CHECKS)
    stale = set(GUARD_CHECKS) - registry.names()
    if missing or stale:
        raise SystemExit(
            f"gen_reference.py: describe the guards {sorted(missing)} in GUARD_CHECKS; drop {sorted(stale)}"
        )
    out = [
        HEADER,
        "# Transitions and guards\n\n",
        "Every transition of every shipped workflow (`src/caseflow/states/definitions/*.yaml`), with who may\n"
        "fire it and the guards it must pass. An event fires a trigger from the case's current state; the\n"
        "actor's role must be listed (else `TransitionRefused` with `.guard == 'roles'`), then every guard must\n"
        "pass, in order (else `TransitionRefused` naming the guard). Roles: "
        + ", ".join(_code(r) for r in sorted(BUILTIN_ROLES))
        + ", plus the roles an app passes to `Workflows(roles=...)`. What the definitions mean:\n"
        "[Workflows](../workflows.md); the diagrams: [Workflows, Diagrams](../workflows.md#diagrams).\n\n",
        "Workflows: " + ", ".join(f"[`{d.name}`](#{d.name})" for d in defs) + ".\n",
    ]
    used: dict[str, list[str]] = {}
    for d in defs:
        finals = ", ".join(_code(s) for s in sorted(d.final_states))
        out.append(
            f"\n## {d.name}\n\n{d.description}\n\nVersion `{d.version}`; starts for {_started_by(d, defs)}; "
            f"initial state `{d.initial}`; final states {finals}.\n\n"
        )
        rows = []
        for t in d.transitions:
            for g in t.guards:
                used.setdefault(g, []).append(f"`{d.name}.{t.trigger}`")
            rows.append(
                [
                    _code(t.trigger),
                    ", ".join(_code(s) for s in t.sources),
                    _code(t.dest),
                    ", ".join(t.roles),
                    ", ".join(f"[`{g}`](#{g.replace('_', '-')})" for g in t.guards) or "—",
                    _effects(t),
                ]
            )
        out.append(_table(["trigger", "from", "to", "roles", "guards", "also"], rows))
        if d.on_actions:
            out.append(
                "\nPolicy actions it reacts to (`on_actions`; fired as the `system` actor): "
                + "; ".join(f"`{a}` fires `{t}`" for a, t in d.on_actions)
                + ".\n"
            )
        if d.params:
            out.append(
                "\nParameters its guards read (`params`): "
                + "; ".join(f"`{k}`: {_json(v)}" for k, v in d.params.items())
                + ".\n"
            )
    out.append(
        "\n## Guards\n\nWhat each guard of `caseflow.states.default_guards()` checks\n"
        "(`src/caseflow/states/guards.py`). A guard reads the event (`reason`, `data`, the actor's role),\n"
        "the case as it is at that step, and the workflow's `params`. Apps register their own with\n"
        "`GuardRegistry.register(name, fn)`, where `fn(ctx)` returns `None` to pass or the reason it refuses.\n\n"
    )
    out.append(
        _table(
            ["guard", "passes when", "used by"],
            [
                [f'<a id="{g.replace("_", "-")}"></a>`{g}`', GUARD_CHECKS[g], ", ".join(used.get(g, [])) or "—"]
                for g in sorted(registry.names())
            ],
        )
    )
    return "".join(out)


def _doc(model: type) -> str:
    """The first paragraph of a class's own docstring, as Markdown (empty when it has none)."""
    doc = vars(model).get("__doc__") or ""
    return _sentence(doc.strip().split("\n\n")[0].replace("\n", " ")) if doc.strip() else ""


def _models_in(module: types.ModuleType, names: Iterable[str]) -> list[type]:
    return [getattr(module, n) for n in names]


def _enum_table(enum: type[Enum]) -> str:
    return ", ".join(_json(m.value) for m in enum) + "\n"


def _members(cls: type) -> str:
    rows = []
    for name, value in vars(cls).items():
        if name.startswith(("_", "model_")):
            continue
        if not callable(value) and not isinstance(value, (property, classmethod, staticmethod)):
            continue
        doc = MEMBER_NOTES.get((cls, name))
        if doc is None:
            fn = value.fget if isinstance(value, property) else value
            doc = _sentence((getattr(fn, "__doc__", None) or "").strip().split("\n")[0])
        if not doc:
            raise SystemExit(f"gen_reference.py: describe {cls.__name__}.{name} in MEMBER_NOTES")
        kind = "property" if isinstance(value, property) else "method"
        rows.append([_code(name), kind, _sentence(doc)])
    return "" if not rows else "\n" + _table(["member", "kind", "what it gives"], rows)


def case_page() -> str:
    parse_case(CASE_EXAMPLE)  # the example is a valid case
    models: list[type[BaseModel]] = [
        case_module.Case,
        case_module.Party,
        case_module.PartyHistory,
        case_module.Order,
        case_module.Item,
        case_module.Shipment,
        case_module.TrackingEvent,
        case_module.Request,
        case_module.Dispute,
        case_module.Evidence,
        case_module.Message,
        case_module.RiskSignals,
        Money,
    ]
    enums = [getattr(case_module, n) for n in sorted(case_module.__all__)]
    enums = [e for e in enums if isinstance(e, type) and issubclass(e, Enum)]
    exported = {getattr(case_module, n) for n in case_module.__all__}
    left_out = {m for m in exported if isinstance(m, type) and issubclass(m, BaseModel) and m not in models}
    if left_out:
        raise SystemExit(f"gen_reference.py: add {sorted(m.__name__ for m in left_out)} to case_page's models")
    render = Types([*models, *enums])
    out = [
        HEADER,
        "# The case (JSON)\n\n",
        "A case is plain data: `caseflow.parse_case(data)` validates a mapping or JSON text into a `Case`\n"
        "(`src/caseflow/model/case.py`) and raises `CaseDataError` (`case-invalid`) naming every invalid field.\n"
        "`caseflow evaluate CASE.json` and `caseflow explain CASE.json` read this format, `caseflow generate`\n"
        "writes it (one case per line), and the store keeps it. A case round-trips through JSON losslessly:\n"
        "`Case.model_validate_json(case.model_dump_json()) == case`.\n\n"
        "Rules for every part: **an unknown field is an error** (a typo never becomes a silent default);\n"
        '**every time has an offset** (`2026-11-11T10:00:00+08:00`, or `Z`); **money** is `"159.00 CNY"` or\n'
        '`{"amount": "159.00", "currency": "CNY"}` (see [Money](#money)); a field left out takes its default.\n'
        "The fields under *workflow data* in [Case](#case) are written by caseflow as the case moves\n"
        "(`Workflows.open` and `handle`); a new case leaves them out.\n\n",
        "## Example\n\n```json\n" + json.dumps(CASE_EXAMPLE, indent=2, ensure_ascii=False) + "\n```\n",
    ]
    workflow_fields = {
        "updated_at",
        "states",
        "version",
        "applied_events",
        "root_cause",
        "kb_summary",
        "resolution",
        "authority",
        "sla_breaches",
        "sla_warnings",
    }
    for model in models:
        doc = _doc(model)
        out.append(f"\n## {model.__name__}\n\n" + (doc + "\n\n" if doc else ""))
        table = _fields_table(model, render, _validator_notes(model))
        if model is case_module.Case:
            lines = table.splitlines()
            head, body = lines[:2], lines[2:]
            first = [ln for ln in body if ln.split("`")[1] not in workflow_fields]
            later = [ln for ln in body if ln.split("`")[1] in workflow_fields]
            table = "\n".join([*head, *first]) + "\n"
            table += (
                "\n*Workflow data*: written by `Workflows.open` and `Workflows.handle` (and their reactions),\n"
                "kept in the audit records so `caseflow.replay` rebuilds it.\n\n" + "\n".join([*head, *later]) + "\n"
            )
        out.append(table)
        out.append(_members(model))
    out.append("\n## Enumerations\n")
    for e in enums:
        out.append(f"\n### {e.__name__}\n\nValues: " + _enum_table(e))
    return "".join(out)


def decision_page() -> str:
    d_models = _models_in(
        decision_module,
        [
            "Decision",
            "DecisionAction",
            "FiredRule",
            "PolicyRef",
            "Explanation",
            "PolicyTrace",
            "RuleTrace",
            "ConditionTrace",
        ],
    )
    e_models = _models_in(events_module, ["Actor", "WorkflowEvent", "AuditRecord"])
    render = Types([*d_models, *e_models])
    record_kinds = ", ".join(_json(k) for k in get_args(events_module.RecordKind))
    out = [
        HEADER,
        "# Decisions and audit records\n\n",
        "What caseflow returns and records, as pydantic models (`src/caseflow/model/decision.py`,\n"
        "`src/caseflow/model/events.py`): all are immutable, and an unknown field is an error. Each one's\n"
        'JSON is `model.model_dump(mode="json")`; `caseflow evaluate` prints a `Decision` that way and\n'
        "`caseflow explain --json` a decision and its explanation.\n\n",
        "- `Engine.evaluate(case)` returns a [Decision](#decision): the actions to take, in order, the rules that\n"
        "  fired and the policy versions used. `decision.explain()` returns an [Explanation](#explanation):\n"
        "  every rule of every policy, matched or not, each test with the fact values it saw.\n"
        "- An [Actor](#actor) fires a [WorkflowEvent](#workflowevent); applying it leaves append-only\n"
        "  [AuditRecord](#auditrecord)s, from which `caseflow.replay(records)` rebuilds the case exactly.\n",
        "\n## Decisions\n",
    ]
    for model in d_models:
        doc = _doc(model)
        out.append(f"\n### {model.__name__}\n\n" + (doc + "\n\n" if doc else ""))
        out.append(_fields_table(model, render))
        out.append(_members(model))
    out.append(
        "\n## Events and audit records\n\n"
        f"An audit record's `kind` is one of {record_kinds}. The role `system` is the actor caseflow uses\n"
        "for what policies and timers fire.\n"
    )
    for model in e_models:
        doc = _doc(model)
        out.append(f"\n### {model.__name__}\n\n" + (doc + "\n\n" if doc else ""))
        out.append(_fields_table(model, render))
        out.append(_members(model))
    return "".join(out)


_KINDS: list[tuple[str, str, str, list[type[BaseModel]], str]] = [
    (
        "Policy files",
        "policy",
        "any `*.yaml` that `load_policies` reads (not `*.test.yaml`, `*.detectors.yaml`, `*.calendars.yaml`); "
        "SLA targets are policy files too",
        [PolicyDocument, RuleDocument, EffectiveDocument],
        "../policy-format.md",
    ),
    (
        "Workflow definitions",
        "workflow",
        "the files `load_workflows` and `caseflow workflows PATH` read (shipped: `src/caseflow/states/definitions/`)",
        [WorkflowDocument, StateDocument, TransitionDocument, ThenDocument],
        "../workflows.md#definitions",
    ),
    (
        "Business calendars",
        "calendars",
        "`*.calendars.yaml`, read by `load_calendars` (shipped: `rules/sla/sla.calendars.yaml`)",
        [CalendarsDocument, CalendarDocument],
        "../sla.md#calendars-rulesslaslacalendarsyaml",
    ),
    (
        "Correlation detectors",
        "detectors",
        "`*.detectors.yaml`, read by `load_detectors` (shipped: `rules/correlation.detectors.yaml`)",
        [DetectorsDocument, DetectorDocument],
        "../risk-and-correlation.md#cross-case-correlation-rulesdetectorsyaml",
    ),
    (
        "Policy tests",
        "policy-test",
        "`*.test.yaml`, run by `caseflow test` and collected by pytest",
        [PolicyTestFileDocument, PolicyTestDocument, Expectation, SignalDeclaration, GivenSignal],
        "../policy-format.md#policy-tests",
    ),
    (
        "Authorities of a market",
        "authorities",
        "`caseflow/policies/data/authorities/<market>.yaml`, shipped data read into the built-in phrase sets",
        [AuthoritiesDocument, AuthorityDocument],
        "../risk.md#the-authorities-per-market",
    ),
]


def documents_page() -> str:
    render = Types([m for kind in _KINDS for m in kind[3]])
    out = [
        HEADER,
        "# Document keys\n\n",
        "The keys of every YAML document kind, from the pydantic models the loaders take their keys from and\n"
        "the JSON Schemas are generated from (`caseflow schema KIND`). What each kind is for, full examples and\n"
        "the editor set-up: [YAML documents](yaml.md). The loaders check more than the schema can say (facts,\n"
        "operators, states, guards, ...) and report every problem at `file:line:column`.\n",
    ]
    for title, kind, files, models, guide in _KINDS:
        out.append(
            f"\n## {title}\n\nFiles: {files}. JSON Schema: `caseflow schema {kind}`. Guide: [{title}]({guide}).\n"
        )
        for model in models:
            doc = _doc(model)
            if doc.startswith("!!!") or "Usage docs" in doc:
                doc = ""
            out.append(f"\n### {model.__name__}\n\n" + (doc + "\n\n" if doc else ""))
            out.append(_fields_table(model, render).replace("| field |", "| key |", 1))
    return "".join(out)


API_PACKAGES = [
    "model",
    "policies",
    "engine",
    "sla",
    "states",
    "risk",
    "store",
    "testing",
    "clock",
    "logging",
    "errors",
]  # each has its page docs/api/NAME.md


def api_index_page() -> str:
    import caseflow

    rows = []
    for name in sorted(caseflow.__all__, key=str.lower):
        if name == "__version__":
            rows.append(["`__version__`", "string", "the installed version (`caseflow --version` prints it)"])
            continue
        obj = getattr(caseflow, name)
        module = getattr(obj, "__module__", "") or ""
        package = module.split(".")[1] if module.count(".") >= 1 else ""
        if package not in API_PACKAGES:
            raise SystemExit(f"gen_reference.py: caseflow.{name} comes from {module}: give it an API page")
        public = f"caseflow.{package}"
        documented = importlib.import_module(public)
        if name not in getattr(documented, "__all__", ()) and package not in ("clock", "errors", "logging"):
            raise SystemExit(f"gen_reference.py: caseflow.{name} is not in {public}.__all__")
        kind = "class" if isinstance(obj, type) else "function"
        rows.append([f"[`{name}`]({package}.md#{public}.{name})", kind, f"`{public}`"])
    return "".join(
        [
            HEADER,
            "# Python API\n\n",
            "The public names are those of `caseflow.__all__` (below) and of each package's `__all__`; modules\n"
            "whose names start with `_` are private. Every page of this section is generated from the source's\n"
            "docstrings and signatures by mkdocstrings. The packages, in the order data flows\n"
            "([Architecture](../architecture.md)): "
            + ", ".join(f"[`caseflow.{p}`]({p}.md)" for p in API_PACKAGES)
            + ".\n\n",
            "::: caseflow\n    options:\n      members: false\n      show_root_heading: false\n\n",
            "## The names of `caseflow`\n\n",
            _table(["name", "kind", "documented in"], rows),
        ]
    )


PAGES: dict[str, Callable[[], str]] = {
    "api/index.md": api_index_page,
    "reference/actions.md": actions_page,
    "reference/facts.md": facts_page,
    "reference/transitions.md": transitions_page,
    "reference/case.md": case_page,
    "reference/decision.md": decision_page,
    "reference/documents.md": documents_page,
}


def generate() -> dict[str, str]:
    """Every generated page: its path under docs/ -> its text."""
    _check_notes()
    return {path: page() for path, page in PAGES.items()}


def main(argv: list[str] | None = None) -> int:
    for path, text in generate().items():
        target = DOCS / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
            print(f"wrote docs/{path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
