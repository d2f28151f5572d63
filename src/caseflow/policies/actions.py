"""The action catalogue: what the ``then`` part of a rule may do.

Each action has a name and a pydantic model of its parameters (unknown parameters are
errors). In YAML an action is written either as its bare name (``- approve_refund``) or
as a one-key mapping (``- escalate: {tier: 2, severity: high, authority: legal}``).
Apps add actions with :meth:`ActionCatalogue.register`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from ..errors import PolicyError, suggest
from ..model._base import Frozen

__all__ = [
    "ActionCatalogue",
    "ActionSpec",
    "Authority",
    "Severity",
    "default_actions",
]


class _Params(Frozen):
    """The parameters of an action."""


class Severity(str, Enum):
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


class Authority(str, Enum):
    legal = "legal"
    regulator = "regulator"
    trust_safety = "trust_safety"
    fraud = "fraud"
    payments = "payments"
    safety = "safety"
    pr = "pr"
    product = "product"
    warehouse = "warehouse"
    logistics = "logistics"
    supervisor = "supervisor"


class NoParams(_Params):
    pass


_SHARE_DIGITS = 10  # significant digits of a percentage (a share of a refund)


def _percent(v: Decimal | None) -> Decimal | None:
    if v is not None and len(v.as_tuple().digits) > _SHARE_DIGITS:
        raise ValueError(f"a percentage has at most {_SHARE_DIGITS} significant digits")
    return v


class ApproveRefund(_Params):
    amount: Literal["requested", "full"] | str = Field(
        default="requested", description="'requested', 'full' (the order total) or money such as '50 CNY'"
    )
    reason: str | None = None

    @field_validator("amount")
    @classmethod
    def _amount(cls, v: str) -> str:
        """A fixed amount is money, never negative and with bounded digits (``model.money.check_amount``):
        '-50 CNY' would pay the buyer nothing and take 50 from them."""
        if v in ("requested", "full"):
            return v
        from ..model.money import parse_money

        shown = v if len(v) <= 40 else f"{v[:30]}…"
        try:
            parse_money(v)
        except ValueError as e:
            reason = str(e) if "not money" not in str(e) else "write 'requested', 'full' or money such as '50 CNY'"
            raise ValueError(f"{shown!r}: {reason}") from None
        return v


class RejectRefund(_Params):
    reason: str = Field(min_length=1, description="reason code shown to the customer")
    template: str | None = None


class RequireReturn(_Params):
    within_days: int = Field(default=7, ge=1, le=90, description="days the buyer has to ship the return")
    shipping_paid_by: Literal["buyer", "seller", "platform"] = "buyer"


class RequestEvidence(_Params):
    kinds: list[Literal["photo", "video", "document", "tracking", "chat_log"]] = Field(min_length=1)
    within_hours: int = Field(default=72, ge=1, le=24 * 30)
    party: Literal["buyer", "seller"] = "buyer"


class DecideDispute(_Params):
    outcome: Literal["buyer", "seller", "split"]
    buyer_share_percent: Decimal | None = Field(
        default=None, gt=0, lt=100, description="for a split: the buyer's share"
    )
    reason: str = Field(min_length=1)

    _share = field_validator("buyer_share_percent")(_percent)


class FreezePayout(_Params):
    reason: str = Field(min_length=1)


class OnBreach(_Params):
    workflow: str = Field(min_length=1)
    trigger: str = Field(min_length=1)


class SlaTarget(_Params):
    """A service level for one metric; the workflow states decide when its clock runs."""

    metric: str = Field(min_length=1, pattern=r"^[a-z][a-z0-9_]*$")
    within: str = Field(description="a duration such as 2m, 4h, 2d")
    calendar: str = Field(min_length=1, description="a calendar of the SLA calendars file")
    party: Literal["platform", "buyer", "seller"] = "platform"
    start: str = Field(
        default="opened",
        description="'opened'; 'workflow:state' (starts on entering it); or 'trigger' (only start_on starts it)",
    )
    stop_in: list[str] = Field(default_factory=list, description="'workflow:state' that stop the clock")
    pause_in: list[str] = Field(default_factory=list, description="'workflow:state' that pause it")
    start_on: list[str] = Field(default_factory=list, description="'workflow.trigger' that start the clock")
    stop_on: list[str] = Field(default_factory=list, description="'workflow.trigger' that stop it")
    repeat: bool = Field(
        default=False, description="start a new cycle at every start after a stop (next response, periodic update)"
    )
    deadline_from: str | None = Field(
        default=None, description="take the due time from the case's deadlines[NAME] instead of 'within'"
    )
    warn_at: list[int] = Field(default_factory=lambda: [75])
    escalate_every: str | None = Field(default=None, description="after the breach, one more level every this long")
    on_breach: OnBreach | None = None
    on_met: Literal["evaluate"] | OnBreach | None = Field(
        default=None,
        description=(
            "when a cycle stops before its target: 'evaluate' asks the policies with sla.met naming the metric; "
            "{workflow, trigger} fires that trigger"
        ),
    )
    timezone: str | None = Field(
        default=None,
        description=(
            "count the calendar's hours in this time zone: 'buyer' or 'seller' (that party's timezone, "
            "else the calendar's own) or an IANA name; holidays stay the calendar's"
        ),
    )

    @field_validator("timezone")
    @classmethod
    def _zone(cls, v: str | None) -> str | None:
        if v is None or v in ("buyer", "seller"):
            return v
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise ValueError(
                f"{v[:64]!r} is neither buyer, seller nor an IANA time zone such as Asia/Jakarta"
            ) from None
        return v

    @field_validator("start_on", "stop_on")
    @classmethod
    def _triggers(cls, v: list[str]) -> list[str]:
        for item in v:
            if item.count(".") != 1 or not all(item.split(".")):
                raise ValueError(f"{item!r}: write workflow.trigger, e.g. tier1.customer_replied")
        return v

    @field_validator("within", "escalate_every")
    @classmethod
    def _duration(cls, v: str | None) -> str | None:
        if v is None:
            return v
        from .conditions import parse_duration

        if parse_duration(v) <= 0:
            raise ValueError("a duration must be positive")
        return v

    @field_validator("start", "stop_in", "pause_in")
    @classmethod
    def _states(cls, v: str | list[str]) -> str | list[str]:
        for item in [v] if isinstance(v, str) else v:
            if item not in ("opened", "trigger") and (item.count(":") != 1 or not all(item.split(":"))):
                raise ValueError(f"{item!r}: write workflow:state, e.g. tier1:awaiting_customer")
        return v

    @field_validator("warn_at")
    @classmethod
    def _pcts(cls, v: list[int]) -> list[int]:
        if any(not 0 < p < 100 for p in v):
            raise ValueError("warnings are percentages between 1 and 99")
        return sorted(set(v))


class OfferOptions(_Params):
    options: list[Literal["refund", "exchange", "reship", "repair", "partial_compensation"]] = Field(min_length=1)
    partial_compensation_percent: Decimal | None = Field(default=None, gt=0, le=100)

    _share = field_validator("partial_compensation_percent")(_percent)


class SetPriority(_Params):
    priority: Literal["low", "normal", "high", "urgent"]


class AddTag(_Params):
    tag: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_:\-]*$")


class Escalate(_Params):
    tier: int = Field(default=2, ge=2, le=2)
    severity: Severity = Severity.medium
    authority: Authority | None = None
    reason: str | None = None


class RouteToQueue(_Params):
    queue: str = Field(min_length=1)


class Notify(_Params):
    target: Literal[
        "buyer", "seller", "creator", "supervisor", "tier2", "product", "warehouse", "logistics", "payments", "legal"
    ]
    template: str = Field(min_length=1)


class ReplyTemplate(_Params):
    template: str = Field(min_length=1)
    language: str | None = None


class HoldForReview(_Params):
    reason: str = Field(min_length=1)
    queue: str | None = None


@dataclass(frozen=True)
class ActionSpec:
    name: str
    params: type[BaseModel]
    description: str
    origin: str = "caseflow"


class ActionCatalogue:
    """The actions a policy may use. Copy it to extend it."""

    def __init__(self, specs: list[ActionSpec] | None = None) -> None:
        self._specs: dict[str, ActionSpec] = {}
        for s in specs or []:
            self._specs[s.name] = s

    def register(self, name: str, params: type[BaseModel], description: str) -> ActionSpec:
        if name in self._specs:
            raise PolicyError(f"action {name!r} is already registered", code="action-duplicate")
        if not name.isidentifier() or not name.islower():
            raise PolicyError(f"action name {name!r} must be a lower-case identifier", code="action-bad-name")
        spec = ActionSpec(name, params, description, origin="app")
        self._specs[name] = spec
        return spec

    def copy(self) -> ActionCatalogue:
        return ActionCatalogue(list(self._specs.values()))

    def lookup(self, name: str) -> ActionSpec | None:
        return self._specs.get(name)

    def suggest(self, name: str) -> str | None:
        return suggest(name, self._specs)

    def __iter__(self) -> Iterator[ActionSpec]:
        return iter(sorted(self._specs.values(), key=lambda s: s.name))

    def __contains__(self, name: object) -> bool:
        return name in self._specs


def default_actions() -> ActionCatalogue:
    A = ActionSpec
    return ActionCatalogue(
        [
            A(
                "approve_refund",
                ApproveRefund,
                "approve a refund of the requested amount, the full order, or a fixed amount",
            ),
            A("reject_refund", RejectRefund, "reject the refund with a reason code"),
            A("require_return", RequireReturn, "the buyer must ship the goods back within N days"),
            A("request_evidence", RequestEvidence, "ask for photos, video, documents or tracking within N hours"),
            A("offer_options", OfferOptions, "offer refund / exchange / reship / repair / partial compensation"),
            A("set_priority", SetPriority, "set the case priority"),
            A("add_tag", AddTag, "add a tag to the case"),
            A("escalate", Escalate, "hand the case to tier 2, with a severity and an authority"),
            A("route_to_queue", RouteToQueue, "route the case to a named queue"),
            A("notify", Notify, "notify a party or a team with a template"),
            A("reply_template", ReplyTemplate, "answer the customer with a template"),
            A("hold_for_review", HoldForReview, "stop automatic handling until a person reviews the case"),
            A("apologize", NoParams, "open the reply with an apology"),
            A("decide_dispute", DecideDispute, "decide a dispute for the buyer, the seller, or split"),
            A("freeze_payout", FreezePayout, "hold the seller's payout until the case is settled"),
            A(
                "sla_target",
                SlaTarget,
                "a service level (or a platform deadline) whose clock follows the workflow states",
            ),
        ]
    )
