"""The fact namespace: the dotted names a policy may test, each typed and described.

A fact is derived from a :class:`~caseflow.model.case.Case` at evaluation time, with ``now``
taken from the engine's injected clock. A getter returns ``None`` when the fact does not
apply (no order, no buyer, not delivered yet): the fact is then *missing*, and every
comparison with it is false (see docs/policy-format.md).

Apps add facts with :meth:`FactRegistry.register`::

    registry = default_facts()
    registry.register("buyer.loyalty_tier", "string", "loyalty tier from the CRM",
                      lambda case, now: case.attributes.get("loyalty_tier"))
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from ..errors import FactError, suggest
from ..model.case import (
    Case,
    CaseType,
    Channel,
    DisputeReason,
    EvidenceKind,
    Message,
    Order,
    Priority,
    RequestKind,
    SaleType,
    Segment,
    ShipmentStatus,
    TrackingEvent,
)
from ..model.money import Money
from .phrases import ITEM_MARKS
from .text import normalize, prepare

__all__ = ["FactRegistry", "FactSpec", "FactType", "FactValue", "Getter", "GivenFacts", "LazyFacts", "default_facts"]

FactValue = str | int | float | Decimal | bool | datetime | Money | list[str] | None
"""The value of a fact: of its :class:`FactType` (``strings``: a list of text), or ``None`` when missing."""
Getter = Callable[[Case, datetime], FactValue]
"""``getter(case, now)``: one fact of ``case`` at time ``now``, or ``None`` when it does not apply."""


class FactType(str, Enum):
    string = "string"
    enum = "enum"
    number = "number"
    integer = "integer"
    boolean = "boolean"
    money = "money"
    datetime = "datetime"
    strings = "strings"  # a list of strings


_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


@dataclass(frozen=True)
class FactSpec:
    name: str
    type: FactType
    description: str
    getter: Getter
    choices: tuple[str, ...] | None = None
    unit: str | None = None
    origin: str = "caseflow"

    def describe_type(self) -> str:
        if self.type is FactType.enum and self.choices:
            return "enum(" + "|".join(self.choices) + ")"
        if self.unit:
            return f"{self.type.value} ({self.unit})"
        return self.type.value


class FactRegistry:
    """A set of facts. Copy it to extend it without touching the defaults."""

    def __init__(self, specs: Iterable[FactSpec] = ()) -> None:
        self._specs: dict[str, FactSpec] = {}
        for spec in specs:
            self._add(spec)

    def _add(self, spec: FactSpec) -> None:
        if spec.name in self._specs:
            raise FactError(f"fact {spec.name!r} is already registered", code="fact-duplicate")
        self._specs[spec.name] = spec

    def register(
        self,
        name: str,
        type: str | FactType,
        description: str,
        getter: Getter,
        *,
        choices: Iterable[str] | None = None,
        unit: str | None = None,
    ) -> FactSpec:
        """Add an app-defined fact. ``getter(case, now)`` returns the value or ``None``."""
        if not _NAME_RE.match(name):
            raise FactError(
                f"fact name {name!r} must be dotted lower-case words, e.g. 'buyer.loyalty_tier'",
                code="fact-bad-name",
            )
        try:
            ftype = FactType(type)
        except ValueError:
            raise FactError(
                f"fact {name!r}: unknown type {type!r}; use one of {', '.join(t.value for t in FactType)}",
                code="fact-bad-type",
            ) from None
        if not callable(getter):
            raise FactError(f"fact {name!r}: getter must be callable(case, now)", code="fact-bad-getter")
        if ftype is FactType.enum and not choices:
            raise FactError(f"fact {name!r}: an enum fact needs choices", code="fact-bad-type")
        spec = FactSpec(
            name,
            ftype,
            description,
            _typed(name, ftype, getter, tuple(choices) if choices else None),
            tuple(choices) if choices else None,
            unit,
            origin="app",
        )
        self._add(spec)
        return spec

    def copy(self) -> FactRegistry:
        return FactRegistry(self._specs.values())

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def __iter__(self) -> Iterator[FactSpec]:
        return iter(sorted(self._specs.values(), key=lambda s: s.name))

    def __len__(self) -> int:
        return len(self._specs)

    def get(self, name: str) -> FactSpec:
        try:
            return self._specs[name]
        except KeyError:
            hint = self.suggest(name)
            raise FactError(
                f"unknown fact {name!r}" + (f"; did you mean {hint!r}?" if hint else ""), code="fact-unknown"
            ) from None

    def lookup(self, name: str) -> FactSpec | None:
        return self._specs.get(name)

    def suggest(self, name: str) -> str | None:
        return suggest(name, self._specs)

    def lazy(self, case: Case, now: datetime) -> LazyFacts:
        """A mapping that derives each fact of ``case`` the first time it is read."""
        return LazyFacts(case, now, self._specs)

    def derive(self, case: Case, now: datetime, names: Iterable[str] | None = None) -> dict[str, FactValue]:
        """Compute facts (all, or only ``names``) for ``case`` at time ``now``."""
        specs = self._specs.values() if names is None else [self.get(n) for n in names]
        out: dict[str, FactValue] = {}
        for spec in specs:
            try:
                out[spec.name] = spec.getter(case, now)
            except FactError:  # names its fact already (a signal provider's SignalError)
                raise
            except Exception as exc:  # an app getter failed: say which fact
                raise FactError(
                    f"fact {spec.name!r} could not be derived for case {case.id!r}: {type(exc).__name__}: {exc}",
                    code="fact-getter-failed",
                ) from exc
        return out


_PY_TYPES: dict[FactType, tuple[type, ...]] = {
    FactType.string: (str,),
    FactType.enum: (str,),
    FactType.number: (int, float, Decimal),
    FactType.integer: (int,),
    FactType.boolean: (bool,),
    FactType.money: (Money,),
    FactType.datetime: (datetime,),
    FactType.strings: (list, tuple, set, frozenset),
}


def _typed(name: str, ftype: FactType, getter: Getter, choices: tuple[str, ...] | None) -> Getter:
    """Wrap an app getter so a value of the wrong type is a clear error, never a silent mismatch."""
    ok = _PY_TYPES[ftype]

    def checked(case: Case, now: datetime) -> FactValue:
        value = getter(case, now)
        if value is None:
            return None
        bad = not isinstance(value, ok) or (isinstance(value, bool) and ftype in (FactType.number, FactType.integer))
        if ftype is FactType.datetime and isinstance(value, datetime) and value.tzinfo is None:
            raise ValueError(f"returned {value!r} with no time zone")
        if ftype is FactType.enum and not bad and choices and value not in choices:
            raise ValueError(f"returned {value!r}, not one of {', '.join(choices)}")
        if ftype is FactType.number and isinstance(value, float) and value != value:
            raise ValueError("returned NaN")
        if bad:
            raise TypeError(f"returned {type(value).__name__} {value!r}, but the fact is declared {ftype.value}")
        return value

    return checked


class LazyFacts(dict[str, FactValue]):
    """Facts of one case at one time, each derived the first time it is read (``facts[name]``).

    An unknown name reads as ``None`` (missing).
    """

    __slots__ = ("_case", "_now", "_specs")

    def __init__(self, case: Case, now: datetime, specs: dict[str, FactSpec]) -> None:
        super().__init__()
        self._case = case
        self._now = now
        self._specs = specs

    def __missing__(self, name: str) -> FactValue:
        spec = self._specs.get(name)
        if spec is None:
            return None
        try:
            value = spec.getter(self._case, self._now)
        except FactError:  # names its fact already (a signal provider's SignalError)
            raise
        except Exception as exc:
            raise FactError(
                f"fact {name!r} could not be derived for case {self._case.id!r}: {type(exc).__name__}: {exc}",
                code="fact-getter-failed",
            ) from exc
        self[name] = value
        return value


class GivenFacts(dict[str, object]):
    """Facts given by the caller: any name not given reads as ``None`` (missing).

    The values are the caller's, as given: they are not checked against the facts' types."""

    __slots__ = ()

    def __missing__(self, name: str) -> None:
        return None


# ----------------------------------------------------------------------------------------
# Built-in facts
# ----------------------------------------------------------------------------------------

_DAY = 86400.0
_HOUR = 3600.0


def _days(now: datetime, then: datetime | None) -> float | None:
    return None if then is None else (now - then).total_seconds() / _DAY


# a getter reading an attribute named at registration: its values are that attribute's, whatever they are
_AttrGetter = Callable[[Case, datetime], Any]


def _order(case: Case) -> Order | None:
    return case.orders[0] if case.orders else None


def _o(attr: str) -> _AttrGetter:
    def get(case: Case, now: datetime) -> Any:
        o = case.orders[0] if case.orders else None
        return None if o is None else getattr(o, attr)

    return get


def _party(role: str, attr: str) -> _AttrGetter:
    def get(case: Case, now: datetime) -> Any:
        p = getattr(case, role)
        return None if p is None else getattr(p, attr)

    return get


def _hist(role: str, attr: str) -> _AttrGetter:
    def get(case: Case, now: datetime) -> Any:
        p = getattr(case, role)
        return None if p is None else getattr(p.history, attr)

    return get


def _account_age(role: str) -> Getter:
    def get(case: Case, now: datetime) -> float | None:
        p = getattr(case, role)
        return None if p is None or p.joined_at is None else _days(now, p.joined_at)

    return get


def _enum_getter(inner: _AttrGetter) -> Getter:
    def get(case: Case, now: datetime) -> str | None:
        v: Enum | None = inner(case, now)
        return None if v is None else v.value

    return get


def _values(cls: type[Enum]) -> tuple[str, ...]:
    """The values of an enum: the choices of an enum fact."""
    return tuple(m.value for m in cls)


def _last_customer_message(case: Case) -> Message | None:
    for m in reversed(case.messages):
        if m.author.value in ("buyer", "seller", "creator"):
            return m
    return None


def _customer_text(case: Case) -> str | None:
    return "\n".join(m.text for m in case.messages if m.author.value in ("buyer", "seller", "creator")) or None


_MAX_ITEM_NAMES = 32  # item names read for the marks (the first ones of the case's orders)
_MAX_GRAMS = 256  # pieces of names looked for in a text


def _name_pieces(names: Iterable[str]) -> list[str]:
    """What of an item's name marks a text, normalized, longest first: two or more consecutive words of it
    (a buyer writes part of a long title: "the lawyer's choice shampoo" for "Lawyer's Choice Argan Shampoo
    500ml"), or the whole name when it is one word of three or more letters; in Chinese and Japanese, four
    or more consecutive characters of it, or the whole name of two or three."""
    pieces: set[str] = set()
    for name in names:
        norm = normalize(name).strip()
        words = norm.split()
        if len(words) == 1 and not _has_han(norm):
            if len(norm) >= 3:
                pieces.add(norm)
            continue
        if _has_han(norm) and len(words) == 1:
            n = len(norm)
            if n < 4:
                pieces.add(norm)
            else:
                pieces.update(norm[i:j] for i in range(n) for j in range(i + 4, n + 1))
            continue
        pieces.update(" ".join(words[i:j]) for i in range(len(words)) for j in range(i + 2, len(words) + 1))
    return sorted((p for p in pieces if len(p) >= 2), key=lambda p: (-len(p), p))[:_MAX_GRAMS]


def _has_han(text: str) -> bool:
    return any("\u3040" <= c <= "\u9fff" for c in text)


def _customer_text_items_marked(case: Case, now: datetime) -> str | None:
    """The customer messages with the pieces of the order's item names marked ⟦...⟧ (a buyer's own marks
    removed first: they mark nothing). With a mark, the text is normalized (the marks are placed in the
    normalized text); without one, it is the text as written: a text test normalizes what it reads either
    way, and an explanation then shows the steps that made a phrase match (a Cyrillic ``а`` folded ...)."""
    text = _customer_text(case)
    if text is None:
        return None
    if ITEM_MARKS[0] in text or ITEM_MARKS[1] in text:
        text = text.replace(ITEM_MARKS[0], "").replace(ITEM_MARKS[1], "")
    names = [i.name for o in case.orders for i in o.items if i.name][:_MAX_ITEM_NAMES]
    if not names:
        return text
    norm = prepare(text).norm  # kept in the cache of prepared texts: the phrase sets read the same one
    marked: list[tuple[int, int]] = []
    for piece in _name_pieces(names):
        at = norm.find(piece)
        while at != -1:
            end = at + len(piece)
            whole = _has_han(piece) or (
                (at == 0 or not norm[at - 1].isalnum()) and (end == len(norm) or not norm[end].isalnum())
            )
            if whole and not any(a < end and at < b for a, b in marked):
                marked.append((at, end))
            at = norm.find(piece, at + 1)
    if not marked:
        return text
    out, done = [], 0
    for a, b in sorted(marked):
        out += [norm[done:a], ITEM_MARKS[0], norm[a:b], ITEM_MARKS[1]]
        done = b
    out.append(norm[done:])
    return "".join(out)


def _last_tracking_event(case: Case) -> TrackingEvent | None:
    o = _order(case)
    if o is None or o.shipment is None or not o.shipment.events:
        return None
    return max(o.shipment.events, key=lambda e: e.at)


def _tracking_status(case: Case, now: datetime) -> str | None:
    o = _order(case)
    if o is None or o.shipment is None:
        return None
    last = _last_tracking_event(case)
    return (last.status if last is not None else o.shipment.status).value


def _days_past_expected(case: Case, now: datetime) -> float | None:
    o = _order(case)
    if o is None or o.expected_delivery_at is None or o.delivered_at is not None:
        return None
    return (now - o.expected_delivery_at).total_seconds() / _DAY


def _categories(case: Case, now: datetime) -> list[str] | None:
    o = _order(case)
    return None if o is None else sorted({i.category for i in o.items})


def _amount(case: Case, now: datetime) -> Money | None:
    o = _order(case)
    return None if o is None else o.amount


def _partial_claim(case: Case, now: datetime) -> bool | None:
    d, o = case.dispute, _order(case)
    if d is None or d.claimed_amount is None or o is None:
        return None
    return d.claimed_amount.currency == o.amount.currency and d.claimed_amount.amount < o.amount.amount


def _evidence_has(kind: EvidenceKind) -> Getter:
    def get(case: Case, now: datetime) -> bool:
        return any(e.kind is kind for e in case.evidence)

    return get


def _builtin() -> list[FactSpec]:
    E = FactType
    f = FactSpec
    return (
        [
            # case
            f("case.id", E.string, "the case id", lambda c, n: c.id),
            f("case.tenant", E.string, "the platform or shop the case belongs to", lambda c, n: c.tenant),
            f("case.type", E.enum, "the case type", lambda c, n: c.case_type.value, _values(CaseType)),
            f(
                "case.channel",
                E.enum,
                "the channel the case came in on",
                lambda c, n: c.channel.value,
                _values(Channel),
            ),
            f("case.priority", E.enum, "the case priority", lambda c, n: c.priority.value, _values(Priority)),
            f("case.tier", E.integer, "the support tier holding the case (1 or 2)", lambda c, n: c.tier),
            f(
                "case.age_hours",
                E.number,
                "hours since the case was created",
                lambda c, n: (n - c.created_at).total_seconds() / _HOUR,
                unit="hours",
            ),
            f("case.created_at", E.datetime, "when the case was created", lambda c, n: c.created_at),
            f("case.tags", E.strings, "the case's tags", lambda c, n: list(c.tags)),
            f("case.message_count", E.integer, "number of messages on the case", lambda c, n: len(c.messages)),
            f("case.workflows", E.strings, "names of the workflows running on the case", lambda c, n: sorted(c.states)),
            f(
                "case.states",
                E.strings,
                "current states as 'workflow:state'",
                lambda c, n: sorted(f"{w}:{s}" for w, s in c.states.items()),
            ),
            # order
            f("order.id", E.string, "id of the order the case is about (the first order)", _o("id")),
            f("order.amount", E.money, "the order total", _amount),
            f("order.sale_type", E.enum, "how the order was sold", _enum_getter(_o("sale_type")), _values(SaleType)),
            f("order.placed_at", E.datetime, "when the order was placed", _o("placed_at")),
            f("order.shipped_at", E.datetime, "when the order was shipped; missing if not shipped", _o("shipped_at")),
            f(
                "order.delivered_at",
                E.datetime,
                "when the order was delivered; missing if not delivered",
                _o("delivered_at"),
            ),
            f("order.expected_delivery_at", E.datetime, "the promised delivery date", _o("expected_delivery_at")),
            f(
                "order.shipped",
                E.boolean,
                "the order has shipped",
                lambda c, n: c.orders[0].shipped_at is not None if c.orders else None,
            ),
            f(
                "order.delivered",
                E.boolean,
                "the order was delivered",
                lambda c, n: c.orders[0].delivered_at is not None if c.orders else None,
            ),
            f(
                "order.days_since_order",
                E.number,
                "days since the order was placed",
                lambda c, n: _days(n, c.orders[0].placed_at) if c.orders else None,
                unit="days",
            ),
            f(
                "order.days_since_delivery",
                E.number,
                "days since delivery; missing if not delivered",
                lambda c, n: _days(n, c.orders[0].delivered_at) if c.orders else None,
                unit="days",
            ),
            f(
                "order.days_past_expected_delivery",
                E.number,
                "days past the promised date while undelivered (negative: not yet due)",
                _days_past_expected,
                unit="days",
            ),
            # items
            f("items.categories", E.strings, "categories of the order's items", _categories),
            f(
                "items.count",
                E.integer,
                "number of item lines on the order",
                lambda c, n: len(c.orders[0].items) if c.orders else None,
            ),
            f(
                "items.all_returnable",
                E.boolean,
                "no item was marked non-returnable at purchase",
                lambda c, n: all(i.returnable for i in c.orders[0].items) if c.orders else None,
            ),
            f(
                "items.any_opened",
                E.boolean,
                "an item is opened, used, damaged or defective",
                lambda c, n: (
                    any(i.condition is not None and i.condition.value in ("opened", "used") for i in c.orders[0].items)
                    if c.orders
                    else None
                ),
            ),
            f(
                "items.conditions",
                E.strings,
                "reported conditions of the items",
                lambda c, n: (
                    sorted({i.condition.value for i in c.orders[0].items if i.condition is not None})
                    if c.orders
                    else None
                ),
            ),
            # tracking
            f("tracking.status", E.enum, "latest shipment status", _tracking_status, _values(ShipmentStatus)),
            f(
                "tracking.days_since_last_event",
                E.number,
                "days since the last tracking event",
                lambda c, n: None if (e := _last_tracking_event(c)) is None else _days(n, e.at),
                unit="days",
            ),
            f(
                "tracking.event_count",
                E.integer,
                "number of tracking events",
                lambda c, n: None if not c.orders or (s := c.orders[0].shipment) is None else len(s.events),
            ),
            f(
                "tracking.carrier",
                E.string,
                "the carrier",
                lambda c, n: None if not c.orders or (s := c.orders[0].shipment) is None else s.carrier,
            ),
            # request
            f(
                "request.kind",
                E.enum,
                "what the customer asks for",
                lambda c, n: None if c.request is None else c.request.kind.value,
                _values(RequestKind),
            ),
            f(
                "request.amount",
                E.money,
                "the amount asked for (the order total when not given)",
                lambda c, n: c.requested_amount,
            ),
            f(
                "request.reason",
                E.string,
                "the reason code given with the request",
                lambda c, n: None if c.request is None else c.request.reason,
            ),
            f(
                "request.hours_since_filed",
                E.number,
                "hours since the request was filed",
                lambda c, n: (
                    None
                    if c.request is None or c.request.filed_at is None
                    else (n - c.request.filed_at).total_seconds() / _HOUR
                ),
                unit="hours",
            ),
            # evidence
            f("evidence.count", E.integer, "pieces of evidence on the case", lambda c, n: len(c.evidence)),
            f("evidence.has_photo", E.boolean, "a photo is attached", _evidence_has(EvidenceKind.photo)),
            f("evidence.has_video", E.boolean, "a video is attached", _evidence_has(EvidenceKind.video)),
            f(
                "evidence.kinds",
                E.strings,
                "kinds of evidence attached",
                lambda c, n: sorted({e.kind.value for e in c.evidence}),
            ),
            # message
            f(
                "message.text",
                E.string,
                "text of the latest message from a customer (buyer, seller or creator)",
                lambda c, n: None if (m := _last_customer_message(c)) is None else m.text,
            ),
            f(
                "message.language",
                E.string,
                "language of that message",
                lambda c, n: None if (m := _last_customer_message(c)) is None else m.language,
            ),
            f(
                "message.hours_since",
                E.number,
                "hours since that message",
                lambda c, n: None if (m := _last_customer_message(c)) is None else (n - m.at).total_seconds() / _HOUR,
                unit="hours",
            ),
            f(
                "messages.customer_text",
                E.string,
                "all customer messages joined by newlines",
                lambda c, n: _customer_text(c),
            ),
            f(
                "messages.customer_text_items_marked",
                E.string,
                "all customer messages joined by newlines, with the names of the order's items marked "
                "⟦like this⟧ (normalized when a name is marked): phrase sets (mentions) do not count what is inside "
                "a mark",
                _customer_text_items_marked,
            ),
            # time and service levels
            f("now", E.datetime, "the evaluation time (for dated rules such as peak seasons)", lambda c, n: n),
            f(
                "case.deadline_names",
                E.strings,
                "names of the deadlines an outside platform set on the case",
                lambda c, n: sorted(c.deadlines),
            ),
            f("sla.breached", E.strings, "metrics whose SLA is breached", lambda c, n: sorted(c.sla_breaches)),
            f(
                "sla.breach_level",
                E.integer,
                "the highest SLA breach level (0: none)",
                lambda c, n: max(c.sla_breaches.values(), default=0),
            ),
            f("sla.warned", E.strings, "metrics with an SLA warning", lambda c, n: sorted(c.sla_warnings)),
            f(
                "sla.met",
                E.strings,
                "metrics whose target was met (a cycle stopped in time; recorded for targets with on_met)",
                lambda c, n: sorted(c.sla_met),
            ),
            f(
                "sla.warning_level",
                E.integer,
                "the highest SLA warning percentage reached (0: none)",
                lambda c, n: max(c.sla_warnings.values(), default=0),
            ),
            # dispute
            f(
                "dispute.reason",
                E.enum,
                "why the dispute was opened",
                lambda c, n: None if c.dispute is None else c.dispute.reason.value,
                _values(DisputeReason),
            ),
            f(
                "dispute.opened_by",
                E.enum,
                "who opened it",
                lambda c, n: None if c.dispute is None else c.dispute.opened_by,
                ("buyer", "seller", "bank"),
            ),
            f(
                "dispute.hours_open",
                E.number,
                "hours since the dispute was opened",
                lambda c, n: None if c.dispute is None else (n - c.dispute.opened_at).total_seconds() / _HOUR,
                unit="hours",
            ),
            f(
                "dispute.seller_responded",
                E.boolean,
                "the seller has answered the dispute",
                lambda c, n: None if c.dispute is None else c.dispute.seller_responded_at is not None,
            ),
            f(
                "dispute.carrier_signed_delivery",
                E.boolean,
                "the carrier confirms a signed delivery to the order's address",
                lambda c, n: None if c.dispute is None else c.dispute.carrier_signed_delivery,
            ),
            f(
                "dispute.claimed_amount",
                E.money,
                "the amount the buyer claims (the order total when not given)",
                lambda c, n: None if c.dispute is None else (c.dispute.claimed_amount or _amount(c, n)),
            ),
            f(
                "dispute.partial_claim",
                E.boolean,
                "the buyer claims less than the order total",
                _partial_claim,
            ),
            f(
                "dispute.appealed",
                E.boolean,
                "a party appealed the decision",
                lambda c, n: None if c.dispute is None else c.dispute.appealed,
            ),
            # risk
            f("risk.fraud_score", E.number, "fraud score from 0 to 1", lambda c, n: c.risk.fraud_score),
            f(
                "risk.account_takeover",
                E.boolean,
                "account takeover is suspected",
                lambda c, n: c.risk.account_takeover_suspected,
            ),
            f("risk.chargeback", E.boolean, "a chargeback was filed", lambda c, n: c.risk.chargeback_filed),
        ]
        + _party_facts("buyer")
        + _party_facts("seller")
        + _party_facts("creator")
    )


def _party_facts(role: str) -> list[FactSpec]:
    E = FactType
    segs = tuple(s.value for s in Segment)
    f = FactSpec
    specs = [
        f(f"{role}.id", E.string, f"the {role}'s id", _party(role, "id")),
        f(f"{role}.segment", E.enum, f"the {role}'s segment", _enum_getter(_party(role, "segment")), segs),
        f(f"{role}.region", E.string, f"the {role}'s country (ISO 3166-1 alpha-2)", _party(role, "region")),
        f(f"{role}.language", E.string, f"the {role}'s language (BCP 47)", _party(role, "language")),
        f(f"{role}.timezone", E.string, f"the {role}'s time zone (IANA, e.g. Asia/Jakarta)", _party(role, "timezone")),
        f(
            f"{role}.account_age_days",
            E.number,
            f"days since the {role} joined",
            _account_age(role),
            unit="days",
        ),
    ]
    for attr, desc in [
        ("orders_total", "orders ever placed or received"),
        ("orders_30d", "orders in the last 30 days"),
        ("refunds_90d", "refunds in the last 90 days"),
        ("refunds_total", "refunds ever"),
        ("disputes_90d", "disputes in the last 90 days"),
        ("complaints_30d", "complaints in the last 30 days"),
        ("contacts_7d", "contacts about any problem in the last 7 days"),
        ("chargebacks_total", "chargebacks ever"),
    ]:
        specs.append(f(f"{role}.{attr}", E.integer, f"the {role}'s {desc}", _hist(role, attr)))
    if role == "seller":
        specs.append(f("seller.rating", E.number, "the seller's rating, 0 to 5", _party("seller", "rating")))
        specs.append(
            f(
                "seller.dispute_rate_30d",
                E.number,
                "the seller's dispute rate over 30 days, 0 to 1",
                _party("seller", "dispute_rate_30d"),
            )
        )
    return specs


def default_facts() -> FactRegistry:
    """A fresh registry holding caseflow's built-in facts (yours to extend)."""
    return FactRegistry(_builtin())
