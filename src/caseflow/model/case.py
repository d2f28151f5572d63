"""The case model: what a customer-service case is, validated by pydantic v2.

A :class:`Case` is plain data. It round-trips through JSON losslessly
(``Case.model_validate_json(case.model_dump_json()) == case``). Use :func:`parse_case`
to validate untrusted data: it raises :class:`~caseflow.errors.CaseDataError` naming
every invalid field instead of pydantic's raw error.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from enum import Enum
from typing import Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from ..errors import CaseDataError, FieldProblem
from .money import Money

__all__ = [
    "Author",
    "Case",
    "CaseType",
    "Channel",
    "Dispute",
    "DisputeReason",
    "Evidence",
    "EvidenceKind",
    "Item",
    "ItemCondition",
    "Message",
    "Order",
    "Party",
    "PartyHistory",
    "Priority",
    "Request",
    "RequestKind",
    "RiskSignals",
    "SaleType",
    "Segment",
    "Shipment",
    "ShipmentStatus",
    "TrackingEvent",
    "parse_case",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False, use_enum_values=False)


class Channel(str, Enum):
    chat = "chat"
    email = "email"
    phone = "phone"
    in_app = "in_app"
    social = "social"


class CaseType(str, Enum):
    """What a case is about: the inquiries, orders, after-sales requests, disputes and account problems
    the customer-service teams of online marketplaces handle."""

    inquiry = "inquiry"
    order_status = "order_status"
    payment_problem = "payment_problem"
    cancellation = "cancellation"
    refund_only = "refund_only"
    return_and_refund = "return_and_refund"
    exchange = "exchange"
    reship = "reship"
    partial_compensation = "partial_compensation"
    item_not_received = "item_not_received"
    damaged_or_defective = "damaged_or_defective"
    not_as_described = "not_as_described"
    wrong_item = "wrong_item"
    account_access = "account_access"
    technical_problem = "technical_problem"
    policy_violation = "policy_violation"
    dispute = "dispute"
    chargeback = "chargeback"
    negative_review = "negative_review"
    feedback = "feedback"


class Priority(str, Enum):
    low = "low"
    normal = "normal"
    high = "high"
    urgent = "urgent"


class Segment(str, Enum):
    new = "new"
    regular = "regular"
    vip = "vip"
    top_seller = "top_seller"
    creator = "creator"
    watchlist = "watchlist"


class Author(str, Enum):
    buyer = "buyer"
    seller = "seller"
    creator = "creator"
    agent = "agent"
    system = "system"


class SaleType(str, Enum):
    standard = "standard"
    live_auction = "live_auction"
    presale = "presale"
    flash_sale = "flash_sale"


class ItemCondition(str, Enum):
    new = "new"
    sealed = "sealed"
    opened = "opened"
    used = "used"
    damaged = "damaged"
    defective = "defective"


class ShipmentStatus(str, Enum):
    pending = "pending"
    in_transit = "in_transit"
    out_for_delivery = "out_for_delivery"
    delivered = "delivered"
    exception = "exception"
    returned_to_sender = "returned_to_sender"
    lost = "lost"


class RequestKind(str, Enum):
    refund_only = "refund_only"
    return_and_refund = "return_and_refund"
    exchange = "exchange"
    reship = "reship"
    repair = "repair"
    partial_compensation = "partial_compensation"


class EvidenceKind(str, Enum):
    photo = "photo"
    video = "video"
    document = "document"
    tracking = "tracking"
    chat_log = "chat_log"


class PartyHistory(_Model):
    """Counters an app keeps per party; every one defaults to zero."""

    orders_total: int = Field(default=0, ge=0)
    refunds_90d: int = Field(default=0, ge=0)
    refunds_total: int = Field(default=0, ge=0)
    disputes_90d: int = Field(default=0, ge=0)
    complaints_30d: int = Field(default=0, ge=0)
    contacts_7d: int = Field(default=0, ge=0, description="contacts about any problem in the last 7 days")
    chargebacks_total: int = Field(default=0, ge=0)
    orders_30d: int = Field(default=0, ge=0)


class Party(_Model):
    id: str = Field(min_length=1)
    region: str | None = Field(default=None, description="ISO 3166-1 alpha-2 country, e.g. CN, ID, VN, US")
    language: str | None = Field(default=None, description="BCP 47 tag, e.g. zh-CN, id, vi, en")
    segment: Segment = Segment.regular
    timezone: str | None = None
    joined_at: AwareDatetime | None = None
    rating: float | None = Field(default=None, ge=0, le=5)
    dispute_rate_30d: float | None = Field(default=None, ge=0, le=1)
    history: PartyHistory = Field(default_factory=PartyHistory)

    @field_validator("region")
    @classmethod
    def _region(cls, v: str | None) -> str | None:
        if v is None:
            return v
        if len(v) != 2 or not v.isalpha():
            raise ValueError(f"{v!r} is not an ISO 3166-1 alpha-2 country code such as CN, ID, VN or US")
        return v.upper()


class Item(_Model):
    sku: str = Field(min_length=1)
    name: str | None = None
    category: str = Field(min_length=1, description="catalogue category, e.g. electronics, fresh_food")
    quantity: int = Field(default=1, ge=1)
    unit_price: Money | None = None
    returnable: bool = Field(default=True, description="false when marked non-returnable at purchase")
    condition: ItemCondition | None = None


class TrackingEvent(_Model):
    at: AwareDatetime
    status: ShipmentStatus
    location: str | None = None
    description: str | None = None


class Shipment(_Model):
    carrier: str | None = None
    tracking_number: str | None = None
    status: ShipmentStatus = ShipmentStatus.pending
    events: list[TrackingEvent] = Field(default_factory=list)


class Order(_Model):
    id: str = Field(min_length=1)
    amount: Money
    sale_type: SaleType = SaleType.standard
    placed_at: AwareDatetime
    paid_at: AwareDatetime | None = None
    shipped_at: AwareDatetime | None = None
    expected_delivery_at: AwareDatetime | None = None
    delivered_at: AwareDatetime | None = None
    items: list[Item] = Field(default_factory=list)
    shipment: Shipment | None = None

    @model_validator(mode="after")
    def _item_currency(self) -> Order:
        for item in self.items:
            if item.unit_price is not None and item.unit_price.currency != self.amount.currency:
                raise ValueError(
                    f"item {item.sku!r} is priced in {item.unit_price.currency} but the order "
                    f"is in {self.amount.currency}; one order has one currency"
                )
        return self


class Message(_Model):
    id: str | None = None
    author: Author
    text: str
    language: str | None = None
    at: AwareDatetime


class Evidence(_Model):
    kind: EvidenceKind
    url: str | None = None
    at: AwareDatetime | None = None
    description: str | None = None


class Request(_Model):
    """What the customer asks for (a refund, a return, an exchange ...)."""

    kind: RequestKind
    amount: Money | None = None
    reason: str | None = Field(default=None, description="reason code, e.g. damaged, not_received, changed_mind")
    filed_at: AwareDatetime | None = None


class DisputeReason(str, Enum):
    not_received = "not_received"
    not_as_described = "not_as_described"
    damaged = "damaged"
    counterfeit = "counterfeit"
    unauthorized = "unauthorized"
    other = "other"


class Dispute(_Model):
    """A dispute between buyer and seller (or a chargeback from the bank)."""

    reason: DisputeReason
    opened_at: AwareDatetime
    opened_by: Literal["buyer", "seller", "bank"] = "buyer"
    seller_responded_at: AwareDatetime | None = None
    carrier_signed_delivery: bool = Field(
        default=False, description="the carrier confirms a signed delivery to the order's address"
    )
    claimed_amount: Money | None = None
    appealed: bool = False


class RiskSignals(_Model):
    fraud_score: float | None = Field(default=None, ge=0, le=1)
    account_takeover_suspected: bool = False
    chargeback_filed: bool = False


class Case(_Model):
    """A customer-service case."""

    id: str = Field(min_length=1)
    tenant: str = Field(min_length=1, description="the platform or shop the case belongs to")
    shop_id: str | None = None
    channel: Channel
    case_type: CaseType
    priority: Priority = Priority.normal
    tier: int = Field(default=1, ge=1, le=2)
    buyer: Party | None = None
    seller: Party | None = None
    creator: Party | None = None
    orders: list[Order] = Field(default_factory=list)
    request: Request | None = None
    dispute: Dispute | None = None
    evidence: list[Evidence] = Field(default_factory=list)
    messages: list[Message] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    risk: RiskSignals = Field(default_factory=RiskSignals)
    created_at: AwareDatetime
    updated_at: AwareDatetime | None = None
    attributes: dict[str, str | int | float | bool | None] = Field(
        default_factory=dict, description="app-defined scalar data, readable by registered facts"
    )
    # --- workflow data (caseflow.states): changed only through Workflows.handle ---
    states: dict[str, str] = Field(default_factory=dict, description="workflow name -> current state")
    version: int = Field(default=0, ge=0, description="incremented by every change; for optimistic concurrency")
    applied_events: list[str] = Field(default_factory=list, description="ids of events already applied")
    root_cause: str | None = None
    kb_summary: str | None = Field(default=None, description="the knowledge-base write-up of the resolution")
    resolution: str | None = None
    authority: str | None = Field(default=None, description="the authority a critical case was handed to")
    deadlines: dict[str, AwareDatetime] = Field(
        default_factory=dict, description="deadlines set by an outside platform, by name"
    )
    sla_breaches: dict[str, int] = Field(default_factory=dict, description="metric -> breach level reached")
    sla_warnings: dict[str, int] = Field(
        default_factory=dict, description="metric -> highest warning percentage reached"
    )

    @field_validator("tags")
    @classmethod
    def _unique_tags(cls, v: list[str]) -> list[str]:
        seen: set[str] = set()
        for tag in v:
            if tag in seen:
                raise ValueError(f"tag {tag!r} appears twice")
            seen.add(tag)
        return v

    @property
    def order(self) -> Order | None:
        """The order the case is about: the first of ``orders``."""
        return self.orders[0] if self.orders else None

    @property
    def requested_amount(self) -> Money | None:
        """The amount the customer asks for: the request's, else the order total."""
        if self.request is not None and self.request.amount is not None:
            return self.request.amount
        return self.orders[0].amount if self.orders else None


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            # pydantic puts validator names such as 'function-after[...]' into loc; skip them
            if isinstance(part, str) and ("[" in part and part.endswith("]")) and not out:
                continue
            out += f".{part}" if out else str(part)
    return out or "(case)"


def problems_from(err: ValidationError) -> list[FieldProblem]:
    """Turn a pydantic ValidationError into caseflow FieldProblems (one per field)."""
    problems = []
    for e in err.errors(include_url=False):
        msg = e["msg"]
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        if e["type"] == "extra_forbidden":
            msg = "unknown field; remove it or check its spelling"
        if e["type"] == "timezone_aware":
            msg = "needs a time zone, e.g. '2026-11-11T10:00:00+08:00'"
        problems.append(FieldProblem(field=_loc(e["loc"]), message=msg, value=e.get("input")))
    return problems


def parse_case(data: Mapping[str, object] | str | bytes, *, source: str = "case") -> Case:
    """Validate a dict or JSON text into a :class:`Case`.

    Raises :class:`CaseDataError` listing every invalid field (``orders[0].amount.currency:
    'CNX' is not an ISO 4217 currency code ...``).
    """
    try:
        if isinstance(data, (str, bytes)):
            try:
                data = json.loads(data)
            except json.JSONDecodeError as e:
                raise CaseDataError(
                    [FieldProblem(field=f"line {e.lineno} column {e.colno}", message=f"invalid JSON: {e.msg}")],
                    source=source,
                ) from None
        if not isinstance(data, dict):
            raise CaseDataError(
                [FieldProblem(field="(case)", message=f"expected a JSON object, got {type(data).__name__}")],
                source=source,
            )
        return Case.model_validate(data)
    except ValidationError as err:
        raise CaseDataError(problems_from(err), source=source) from None
