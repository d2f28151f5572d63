"""Money: a Decimal amount with an ISO 4217 currency. Never a float, never negative.

``Money`` accepts ``{"amount": "12.50", "currency": "CNY"}`` or the string
``"12.50 CNY"``. A number that arrives as a float (JSON) is read by its shortest decimal
spelling, so ``0.1`` is ``Decimal("0.1")``, never ``0.1000000000000000055...``; NaN, infinity,
booleans and unknown currency codes are refused, so a typo never becomes a silent default.

An amount is what a case or a policy says is paid, asked or refunded: never negative (no caller
needs a negative amount; ``-5 CNY`` is refused, not turned into a refund the other way), at most
:data:`MAX_INTEGER_DIGITS` digits before the decimal point and :data:`MAX_FRACTION_DIGITS` after
it. So every sum and share of amounts is exact in Python's default decimal context (28 digits)
and never raises a decimal signal: ``12.5000000000`` is kept as ``12.50000000``, ``1E+5`` as
``100000``, ``-0`` as ``0``. A float (JSON number) with more than 15 significant digits lost some on
its way (a double keeps 15 exactly): it is refused, to be written as text instead.
"""

from __future__ import annotations

import re
from decimal import Context, Decimal, Inexact, InvalidOperation
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from ..errors import FieldProblem, MoneyError

__all__ = [
    "ISO_CURRENCIES",
    "MAX_FRACTION_DIGITS",
    "MAX_INTEGER_DIGITS",
    "Money",
    "MoneyParts",
    "check_amount",
    "parse_money",
]

# Active ISO 4217 codes (plus a few widely used precious-metal/test codes are left out on purpose).
ISO_CURRENCIES: frozenset[str] = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD
    BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB
    EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK
    JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA
    MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK
    PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN
    SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST
    XAF XCD XOF XPF YER ZAR ZMW ZWL
    """.split()
)

_MONEY_RE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*([A-Za-z]{3})\s*$")
MAX_INTEGER_DIGITS = 18
"""Digits an amount may have before its decimal point (below 10**18: a quintillion)."""
MAX_FRACTION_DIGITS = 8
"""Digits an amount may have after its decimal point (ISO 4217 currencies use at most 4)."""
_LIMIT = Decimal(10) ** MAX_INTEGER_DIGITS
_QUANTUM = Decimal(10) ** -MAX_FRACTION_DIGITS
_FLOAT_DIGITS = 15  # the significant digits a double keeps exactly
_EXACT = Context(prec=MAX_INTEGER_DIGITS + MAX_FRACTION_DIGITS + 2, traps=[InvalidOperation, Inexact])


def check_amount(value: Decimal) -> Decimal:
    """``value`` as an amount (``-0`` as ``0``, no exponent above 0, no trailing zero beyond the
    eighth decimal); ValueError saying why it is none: not finite, negative, too large, too precise."""
    if not value.is_finite():
        raise ValueError("an amount must be a finite number")
    if value < 0:
        raise ValueError(f"an amount is never negative ({value} was given)")
    if value >= _LIMIT:
        raise ValueError(f"an amount must be below 10**{MAX_INTEGER_DIGITS} (it has {value.adjusted() + 1} digits)")
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)  # finite
    if exponent > 0 or value.is_zero():
        return value.quantize(Decimal(1)) if exponent > 0 else abs(value)
    if exponent < -MAX_FRACTION_DIGITS:
        shorter = value.quantize(_QUANTUM)
        if shorter != value:
            raise ValueError(f"an amount has at most {MAX_FRACTION_DIGITS} digits after the decimal point")
        return shorter
    return value


class MoneyParts(NamedTuple):
    """An amount and its currency, as read from text (not yet a :class:`Money`)."""

    amount: Decimal
    currency: str


def parse_money(text: str) -> MoneyParts:
    """Parse ``"12.50 CNY"`` into ``(Decimal("12.50"), "CNY")``; raise ValueError if malformed, or if
    the amount is none (:func:`check_amount`: negative, too large, too precise)."""
    m = _MONEY_RE.match(text) if len(text) <= 200 else None
    if not m:
        shown = text if len(text) <= 60 else f"{text[:40]}…{text[-10:]}"
        raise ValueError(f"{shown!r} is not money; write an amount and a currency such as '12.50 CNY'")
    currency = m.group(2).upper()
    _check_currency(currency)
    return MoneyParts(check_amount(Decimal(m.group(1))), currency)


def _check_currency(code: str) -> str:
    if code not in ISO_CURRENCIES:
        shown = code if len(code) <= 10 else f"{code[:8]}…"
        raise ValueError(f"{shown!r} is not an ISO 4217 currency code (for example CNY, IDR, VND, USD)")
    return code


class Money(BaseModel):
    """An amount of one currency. Comparisons between different currencies raise."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    amount: Decimal
    currency: str

    def __init__(self, /, **data: object) -> None:
        """``Money(amount=Decimal("12.50"), currency="CNY")``; :class:`~caseflow.errors.MoneyError` (a
        ``CaseflowError`` and a ``ValueError``) naming the field when either is none."""
        try:
            super().__init__(**data)
        except ValidationError as err:
            problems = [
                FieldProblem(".".join(map(str, e["loc"])) or "money", e["msg"].removeprefix("Value error, "))
                for e in err.errors(include_url=False, include_input=False)
            ]
            raise MoneyError(problems, source="Money") from None

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, data: object) -> object:
        if isinstance(data, str):
            amount, currency = parse_money(data)
            return {"amount": amount, "currency": currency}
        return data

    @field_validator("amount", mode="before")
    @classmethod
    def _no_float(cls, v: object) -> object:
        if isinstance(v, bool):
            raise ValueError("an amount must be a number, not a boolean")
        if isinstance(v, float):
            # JSON numbers arrive as floats: repr() is the shortest exact spelling, 0.1 -> "0.1"
            d = Decimal(repr(v))
            if d.is_finite() and len(d.as_tuple().digits) > _FLOAT_DIGITS:
                raise ValueError(
                    f"the number {v!r} has more digits than a JSON number keeps exactly: "
                    'write the amount as text, such as "12.50 CNY"'
                )
            return d
        if isinstance(v, int) and abs(v) >= _LIMIT:
            raise ValueError(f"an amount must be below 10**{MAX_INTEGER_DIGITS}")
        if isinstance(v, str):
            if len(v) > 200:
                raise ValueError(
                    f"{v[:20]!r}…: an amount has at most {MAX_INTEGER_DIGITS + MAX_FRACTION_DIGITS} digits"
                )
            try:
                return Decimal(v.strip())
            except InvalidOperation:
                raise ValueError(f"{v[:40]!r} is not a decimal number") from None
        return v

    @field_validator("amount")
    @classmethod
    def _amount(cls, v: Decimal) -> Decimal:
        return check_amount(v)

    @field_validator("currency", mode="before")
    @classmethod
    def _currency(cls, v: object) -> object:
        if isinstance(v, str):
            return _check_currency(v.strip().upper())
        return v

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot compare Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise ValueError(f"cannot compare {self.currency} with {other.currency} amounts")

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.amount >= other.amount

    def __add__(self, other: Money) -> Money:
        """The exact sum; ValueError when it is above the largest amount (never a rounded one)."""
        self._same(other)
        total = _EXACT.add(self.amount, other.amount)  # both below 10**18 with 8 decimals: exact
        if total >= _LIMIT:
            raise ValueError(f"{self} + {other} is above the largest amount (below 10**{MAX_INTEGER_DIGITS})")
        return Money(amount=total, currency=self.currency)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
