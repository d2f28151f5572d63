"""The case model: what a customer-service case is, validated by pydantic v2.

A :class:`Case` is plain data. It round-trips through JSON losslessly
(``Case.model_validate_json(case.model_dump_json()) == case``). Use :func:`parse_case`
to validate untrusted data: it raises :class:`~caseflow.errors.CaseDataError` naming
every invalid field instead of pydantic's raw error.

What a case may hold, so nothing in it is lost, misread or breaks a later step:

- numbers are finite (no NaN or infinity, as JSON ``NaN`` or an overflowing ``1e309``); counters
  (history, quantities, versions, SLA levels) are whole numbers from 0 to :data:`MAX_COUNT`;
  an attribute that is a whole number fits 64 bits;
- money is never negative and has bounded digits (:mod:`caseflow.model.money`);
- every time lies between :data:`EARLIEST` and :data:`LATEST` (so no later arithmetic on it
  leaves Python's years 1 to 9999);
- every text is valid Unicode (no lone surrogate from a ``"\\ud800"`` escape), and
  :func:`parse_case` reads at most ``max_bytes`` of JSON (:data:`MAX_CASE_BYTES`), refuses a
  key written twice in one object (JSON keeps the last silently) and never raises anything but
  :class:`~caseflow.errors.CaseDataError` (deep nesting and 5,000-digit numbers included).
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Annotated, Literal, cast

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import CoreSchema

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

MAX_CASE_BYTES = 5 * 1024 * 1024
"""How much JSON :func:`parse_case` reads by default (5 MiB), as ``caseflow evaluate`` does."""
MAX_COUNT = 10**12
"""The largest counter of a case (orders, refunds, quantities, versions, SLA levels)."""
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
"""The earliest time a case may hold."""
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
"""Every time of a case is before this one (so a century of durations after it stays in range)."""
_INT64 = 2**63
_SURROGATE = re.compile("[\ud800-\udfff]")


class _Bounds:
    """Bounds a datetime or an int schema (``ge``, ``lt``, ``le`` ...), checked by pydantic-core itself (a
    validator function per field would cost a third more time per case)."""

    def __init__(self, **bounds: object) -> None:
        self.bounds = bounds

    def __get_pydantic_core_schema__(self, source: type, handler: GetCoreSchemaHandler) -> CoreSchema:
        schema = handler(source)
        cast("dict[str, object]", schema).update(self.bounds)  # keys of the datetime and int schemas
        return schema


def _attribute(value: object) -> object:
    """An attribute: text, a whole number that fits 64 bits, a finite number, true/false or null."""
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, int):
        if not -_INT64 <= value < _INT64:
            raise ValueError("a whole number must fit 64 bits (at most 19 digits)")
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("a number must be finite")
        return value
    if isinstance(value, Decimal):  # from Python, or a JSON number too long for a whole number (parse_case)
        if not value.is_finite() or abs(value) >= _INT64:
            raise ValueError("a number must be finite, and a whole number fit 64 bits (at most 19 digits)")
        return value
    raise ValueError(f"an attribute is text, a number, true, false or null, not {type(value).__name__}")


Time = Annotated[AwareDatetime, _Bounds(ge=EARLIEST, lt=LATEST)]
"""A time with an offset, from :data:`EARLIEST` and before :data:`LATEST`."""
Count = Annotated[int, _Bounds(le=MAX_COUNT)]
"""A whole number from 0 (or 1: each field says) to :data:`MAX_COUNT`."""
Attribute = Annotated[str | int | float | bool | None, BeforeValidator(_attribute)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False, use_enum_values=False, allow_inf_nan=False)


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

    orders_total: Count = Field(default=0, ge=0)
    refunds_90d: Count = Field(default=0, ge=0)
    refunds_total: Count = Field(default=0, ge=0)
    disputes_90d: Count = Field(default=0, ge=0)
    complaints_30d: Count = Field(default=0, ge=0)
    contacts_7d: Count = Field(default=0, ge=0, description="contacts about any problem in the last 7 days")
    chargebacks_total: Count = Field(default=0, ge=0)
    orders_30d: Count = Field(default=0, ge=0)


class Party(_Model):
    id: str = Field(min_length=1)
    region: str | None = Field(default=None, description="ISO 3166-1 alpha-2 country, e.g. CN, ID, VN, US")
    language: str | None = Field(default=None, description="BCP 47 tag, e.g. zh-CN, id, vi, en")
    segment: Segment = Segment.regular
    timezone: str | None = Field(
        default=None,
        description="IANA time zone, e.g. Asia/Jakarta (SLA targets with timezone: buyer or seller read it)",
    )
    joined_at: Time | None = None
    rating: float | None = Field(default=None, ge=0, le=5)
    dispute_rate_30d: float | None = Field(default=None, ge=0, le=1)
    history: PartyHistory = Field(default_factory=PartyHistory)

    @field_validator("region")
    @classmethod
    def _region(cls, v: str | None) -> str | None:
        if v is None:
            return v
        if len(v) != 2 or not v.isalpha():
            raise ValueError(f"{_shown(repr(v))} is not an ISO 3166-1 alpha-2 country code such as CN, ID, VN or US")
        return v.upper()

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, v: str | None) -> str | None:
        if v is not None and not _known_zone(v):
            raise ValueError(f"{_shown(repr(v))} is not an IANA time zone such as Asia/Jakarta or Europe/Paris")
        return v


@cache
def _known_zone(name: str) -> bool:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if len(name) > 64:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


class Item(_Model):
    sku: str = Field(min_length=1)
    name: str | None = None
    category: str = Field(min_length=1, description="catalogue category, e.g. electronics, fresh_food")
    quantity: Count = Field(default=1, ge=1)
    unit_price: Money | None = None
    returnable: bool = Field(default=True, description="false when marked non-returnable at purchase")
    condition: ItemCondition | None = None


class TrackingEvent(_Model):
    at: Time
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
    placed_at: Time
    paid_at: Time | None = None
    shipped_at: Time | None = None
    expected_delivery_at: Time | None = None
    delivered_at: Time | None = None
    items: list[Item] = Field(default_factory=list)
    shipment: Shipment | None = None

    @model_validator(mode="after")
    def _item_currency(self) -> Order:
        for item in self.items:
            if item.unit_price is not None and item.unit_price.currency != self.amount.currency:
                raise ValueError(
                    f"item {_shown(repr(item.sku))} is priced in {item.unit_price.currency} but the order "
                    f"is in {self.amount.currency}; one order has one currency"
                )
        return self


class Message(_Model):
    id: str | None = None
    author: Author
    text: str
    language: str | None = None
    at: Time


class Evidence(_Model):
    kind: EvidenceKind
    url: str | None = None
    at: Time | None = None
    description: str | None = None


class Request(_Model):
    """What the customer asks for (a refund, a return, an exchange ...)."""

    kind: RequestKind
    amount: Money | None = None
    reason: str | None = Field(default=None, description="reason code, e.g. damaged, not_received, changed_mind")
    filed_at: Time | None = None


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
    opened_at: Time
    opened_by: Literal["buyer", "seller", "bank"] = "buyer"
    seller_responded_at: Time | None = None
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
    created_at: Time
    updated_at: Time | None = None
    attributes: dict[str, Attribute] = Field(
        default_factory=dict, description="app-defined scalar data, readable by registered facts"
    )
    # --- workflow data (caseflow.states): changed only through Workflows.handle ---
    states: dict[str, str] = Field(default_factory=dict, description="workflow name -> current state")
    version: Count = Field(default=0, ge=0, description="incremented by every change; for optimistic concurrency")
    applied_events: list[str] = Field(default_factory=list, description="ids of events already applied")
    root_cause: str | None = None
    kb_summary: str | None = Field(default=None, description="the knowledge-base write-up of the resolution")
    resolution: str | None = None
    authority: str | None = Field(default=None, description="the authority a critical case was handed to")
    deadlines: dict[str, Time] = Field(
        default_factory=dict, description="deadlines set by an outside platform, by name"
    )
    sla_breaches: dict[str, Count] = Field(default_factory=dict, description="metric -> breach level reached")
    sla_warnings: dict[str, Count] = Field(
        default_factory=dict, description="metric -> highest warning percentage reached"
    )
    sla_met: dict[str, Count] = Field(
        default_factory=dict, description="metric -> cycles that met their target (targets with on_met)"
    )

    @field_validator("tags")
    @classmethod
    def _unique_tags(cls, v: list[str]) -> list[str]:
        seen: set[str] = set()
        for tag in v:
            if tag in seen:
                raise ValueError(f"tag {_shown(repr(tag))} appears twice")
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


def _shown(part: str, limit: int = 60) -> str:
    """A key of the data as a message may show it: valid Unicode, and not too long."""
    part = part.encode("utf-8", "backslashreplace").decode("utf-8")
    return part if len(part) <= limit else f"{part[: limit - 11]}…{part[-10:]}"


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            # pydantic puts validator names such as 'function-after[...]' into loc; skip them
            if isinstance(part, str) and ("[" in part and part.endswith("]")) and not out:
                continue
            part = _shown(str(part))
            out += f".{part}" if out else part
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
        problems.append(FieldProblem(field=_loc(e["loc"]), message=_shown(msg, 300), value=e.get("input")))
    return problems


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _json_object(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """A JSON object; a key written twice is an error (``json`` would keep the last silently)."""
    out: dict[str, object] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def _json_int(text: str) -> int | Decimal:
    """A JSON whole number; one too long for Python's int parsing (4,300 digits) is kept as a Decimal, for the
    field it is in to refuse with its name."""
    return int(text) if len(text) <= 4000 else Decimal(text)


def _where(text: str, index: int) -> str:
    line = text.count("\n", 0, index) + 1
    return f"line {line} column {index - (text.rfind(chr(10), 0, index) + 1) + 1}"


_JSON_DEPTH = 200
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _too_deep(text: str) -> str:
    """Where ``text`` nests more than :data:`_JSON_DEPTH` levels (the place a too-deep JSON value starts)."""
    depth = 0
    for m in _JSON_TOKEN.finditer(text):
        c = m.group()
        if c in "[{":
            depth += 1
            if depth > _JSON_DEPTH:
                return _where(text, m.start())
        elif c in "]}":
            depth -= 1
    return "(case)"


def _problem(field: str, message: str, source: str) -> CaseDataError:
    return CaseDataError([FieldProblem(field=field, message=message)], source=source)


def _from_json(data: str | bytes | bytearray, source: str, max_bytes: int | None) -> object:
    """JSON text (or UTF-8 bytes, a byte order mark allowed) parsed; CaseDataError saying where it is not JSON."""
    if max_bytes is not None:
        size = (
            len(data)
            if not isinstance(data, str) or len(data) * 4 <= max_bytes
            else len(data.encode("utf-8", "surrogatepass"))
        )
        if size > max_bytes:
            raise _problem("(case)", f"{size:,} bytes of JSON, more than the limit of {max_bytes:,}", source)
    if isinstance(data, str):
        text = data.removeprefix("\ufeff")
    else:
        raw = bytes(data)
        raw = raw[len(codecs.BOM_UTF8) :] if raw.startswith(codecs.BOM_UTF8) else raw
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            before = raw[: e.start].decode("utf-8", "replace")
            message = f"not UTF-8 text ({e.reason} at byte {e.start})"
            raise _problem(_where(before, len(before)), message, source) from None
    try:
        return json.loads(text, parse_int=_json_int, object_pairs_hook=_json_object)
    except json.JSONDecodeError as e:
        raise _problem(f"line {e.lineno} column {e.colno}", f"invalid JSON: {e.msg}", source) from None
    except _DuplicateKey as e:
        raise _problem(_shown(e.key), "written twice in one JSON object; keep one", source) from None
    except RecursionError:
        raise _problem(_too_deep(text), f"JSON nested more than {_JSON_DEPTH} levels", source) from None


_Trail = tuple["_Trail", int | str] | None
"""Where a value sits: (where its parent sits, its key or index); the root: None. Turned into a path only for a
problem."""


def _path(trail: _Trail) -> str:
    parts: list[int | str] = []
    while trail is not None:
        trail, key = trail
        parts.append(key)
    return _loc(tuple(reversed(parts)))


def _text_problems(data: Mapping[str, object]) -> list[FieldProblem]:
    """Every text of ``data`` (keys too) that is not valid Unicode: a lone surrogate, as a JSON ``"\\ud800"``
    escape gives. Walked without recursion, so any nesting is fine."""
    problems: list[FieldProblem] = []
    stack: list[tuple[object, _Trail]] = [(data, None)]
    while stack and len(problems) < 10:
        value, trail = stack.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                problems.append(FieldProblem(_path(trail), "not valid Unicode text (a lone surrogate such as \\ud800)"))
        elif isinstance(value, Mapping):
            for k, v in value.items():
                if isinstance(k, str) and _SURROGATE.search(k):
                    problems.append(FieldProblem(_path((trail, k)), "a key that is not valid Unicode text"))
                else:
                    stack.append((v, (trail, k)))
        elif isinstance(value, (list, tuple)):
            stack.extend((v, (trail, i)) for i, v in enumerate(value))
    return problems


def parse_case(
    data: Mapping[str, object] | str | bytes, *, source: str = "case", max_bytes: int | None = MAX_CASE_BYTES
) -> Case:
    """Validate a dict or JSON text (or UTF-8 bytes) into a :class:`Case`.

    Raises :class:`CaseDataError` listing every invalid field (``orders[0].amount.currency:
    'CNX' is not an ISO 4217 currency code ...``), and nothing else: JSON that is not UTF-8, not
    JSON, larger than ``max_bytes`` (:data:`MAX_CASE_BYTES`; None: no limit) or nested too deeply,
    a key written twice, a text that is not valid Unicode are problems of the case too.
    """
    if isinstance(data, (str, bytes, bytearray)):
        data = _from_json(data, source, max_bytes)  # type: ignore[assignment]
    if not isinstance(data, dict):
        raise _problem("(case)", f"expected a JSON object, got {type(data).__name__}", source)
    problems = _text_problems(data)
    if problems:
        raise CaseDataError(problems, source=source)
    try:
        return Case.model_validate(data)
    except ValidationError as err:
        raise CaseDataError(problems_from(err), source=source) from None
    except RecursionError:
        raise _problem("(case)", "nested too deeply", source) from None
