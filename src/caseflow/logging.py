"""Logging: caseflow never configures logging, and never logs personal data.

caseflow takes an injected structlog logger or calls ``structlog.get_logger("caseflow")``,
and wraps whichever it gets with :func:`redact_pii`, so everything caseflow logs has emails,
phone numbers, card numbers, postal addresses and names masked before it reaches the app's
processors. The global structlog configuration is never touched. Apps can add the same
processor to their own chain::

    structlog.configure(processors=[caseflow.logging.redact_pii, ...])
"""

from __future__ import annotations

import re
from collections.abc import MutableMapping
from typing import Any

import structlog

__all__ = ["PII_KEYS", "get_logger", "redact_pii", "redact_text"]

# keys whose values are personal data whatever they look like
PII_KEYS = frozenset(
    {
        "name",
        "full_name",
        "first_name",
        "last_name",
        "buyer_name",
        "seller_name",
        "recipient",
        "contact_name",
        "email",
        "phone",
        "mobile",
        "telephone",
        "address",
        "street",
        "postal_address",
        "shipping_address",
        "billing_address",
        "card",
        "card_number",
        "pan",
        "iban",
        "id_number",
        "passport",
    }
)

# plain character classes and bounded repeats only: linear time, no catastrophic backtracking
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9.\-]{1,253}\.[A-Za-z]{2,24}")
_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
_PHONE = re.compile(r"(?<![\w])\+?\d[\d\s().-]{6,18}\d(?![\w])")
_ADDRESS = re.compile(
    r"\b\d{1,5}\s+[A-Za-z][A-Za-z ]{1,40}\s(?:street|st|road|rd|avenue|ave|lane|ln|jalan|jl|duong|đường)\b"
    r"|\b(?:jalan|jl\.|đường|phố)\s+[^\s,]{1,40}(?:\s+no\.?\s*\d{1,5})?"
    r"|[\u4e00-\u9fff]{1,12}(?:省|市|区|區|县|縣|路|街|号|號|室){1,}[\u4e00-\u9fff0-9]{0,20}",
    re.IGNORECASE,
)


def _luhn(digits: str) -> bool:
    total, alt = 0, False
    for ch in reversed(digits):
        d = ord(ch) - 48
        if alt:
            d *= 2
            if d > 9:
                d -= 9
        total += d
        alt = not alt
    return total % 10 == 0


def _card(m: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", m.group())
    return "[card]" if 13 <= len(digits) <= 19 and _luhn(digits) else m.group()


def redact_text(text: str) -> str:
    """Mask emails, card numbers (Luhn-checked), phone numbers and postal addresses in free text."""
    text = _EMAIL.sub("[email]", text)
    text = _CARD.sub(_card, text)
    text = _PHONE.sub(lambda m: "[phone]" if sum(c.isdigit() for c in m.group()) >= 7 else m.group(), text)
    return _ADDRESS.sub("[address]", text)


def _redact(value: Any, depth: int = 0) -> Any:
    if depth > 6:
        return "[...]"
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {k: "[redacted]" if str(k).lower() in PII_KEYS else _redact(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_redact(v, depth + 1) for v in value)
    return value


def redact_pii(logger: Any, method_name: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """A structlog processor: mask personal data in every value of the event (names by key)."""
    for key in list(event_dict):
        if str(key).lower() in PII_KEYS:
            event_dict[key] = "[redacted]"
        else:
            event_dict[key] = _redact(event_dict[key])
    return event_dict


def _forward(
    logger: Any, method_name: str, event_dict: MutableMapping[str, Any]
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    ed = dict(event_dict)
    event = ed.pop("event", None)
    return ((event,), ed)


def get_logger(logger: Any = None) -> Any:
    """caseflow's logger: the injected one (or ``structlog.get_logger("caseflow")``) behind :func:`redact_pii`."""
    target = logger if logger is not None else structlog.get_logger("caseflow")
    return structlog.wrap_logger(target, processors=[redact_pii, _forward], wrapper_class=structlog.BoundLogger)
