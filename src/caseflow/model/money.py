"""Money: a Decimal amount with an ISO 4217 currency. Never a float.

``Money`` accepts ``{"amount": "12.50", "currency": "CNY"}`` or the string
``"12.50 CNY"``. A number that arrives as a float (JSON) is read by its shortest decimal
spelling, so ``0.1`` is ``Decimal("0.1")``, never ``0.1000000000000000055...``; NaN, infinity,
booleans and unknown currency codes are refused, so a typo never becomes a silent default.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

__all__ = ["ISO_CURRENCIES", "Money", "MoneyParts", "parse_money"]

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


class MoneyParts(NamedTuple):
    """An amount and its currency, as read from text (not yet a :class:`Money`)."""

    amount: Decimal
    currency: str


def parse_money(text: str) -> MoneyParts:
    """Parse ``"12.50 CNY"`` into ``(Decimal("12.50"), "CNY")``; raise ValueError if malformed."""
    m = _MONEY_RE.match(text)
    if not m:
        raise ValueError(f"{text!r} is not money; write an amount and a currency such as '12.50 CNY'")
    currency = m.group(2).upper()
    _check_currency(currency)
    return MoneyParts(Decimal(m.group(1)), currency)


def _check_currency(code: str) -> str:
    if code not in ISO_CURRENCIES:
        raise ValueError(f"{code!r} is not an ISO 4217 currency code (for example CNY, IDR, VND, USD)")
    return code


class Money(BaseModel):
    """An amount of one currency. Comparisons between different currencies raise."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    amount: Decimal
    currency: str

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
            return Decimal(repr(v))
        if isinstance(v, str):
            try:
                return Decimal(v.strip())
            except InvalidOperation:
                raise ValueError(f"{v!r} is not a decimal number") from None
        return v

    @field_validator("amount")
    @classmethod
    def _finite(cls, v: Decimal) -> Decimal:
        if not v.is_finite():
            raise ValueError("an amount must be a finite number")
        return v

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
        self._same(other)
        return Money(amount=self.amount + other.amount, currency=self.currency)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
