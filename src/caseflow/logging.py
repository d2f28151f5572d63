"""Logging: caseflow never configures logging, never prints, and never logs personal data.

Every event caseflow logs goes through :func:`redact_pii` first (emails, phone numbers, card
numbers, postal addresses and names are masked), then to one of:

- the logger the application injected (``Engine(..., logger=...)``, ``CaseService(..., logger=...)``):
  a :class:`logging.Logger`, or a structlog-style logger called as ``logger.info(event, **fields)``;
- else, when the application configured structlog (``structlog.configure(...)``), the logger
  ``structlog.get_logger("caseflow")``, so the host's processors and renderers apply;
- else the standard :mod:`logging` logger ``caseflow`` (structlog's stdlib integration:
  the fields go into the message as ``key=value`` and whole into the record's ``caseflow``
  attribute). That logger has only a :class:`logging.NullHandler`, the Python logging HOWTO's
  advice for libraries: nothing is written anywhere until the host configures logging
  (``logging.basicConfig(level="INFO")``, a handler on ``caseflow``, ...).

Apps can add the same redaction to their own chain::

    structlog.configure(processors=[caseflow.logging.redact_pii, ...])
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, MutableMapping
from typing import Protocol

import structlog

__all__ = ["LOGGER_NAME", "PII_KEYS", "CaseflowLogger", "LoggerLike", "get_logger", "redact_pii", "redact_text"]

LOGGER_NAME = "caseflow"
logging.getLogger(LOGGER_NAME).addHandler(logging.NullHandler())

# keys whose values are personal data whatever they look like
PII_KEYS = frozenset(
    {
        "name", "full_name", "first_name", "last_name", "buyer_name", "seller_name", "recipient", "contact_name",
        "email", "phone", "mobile", "telephone", "address", "street", "postal_address", "shipping_address",
        "billing_address", "card", "card_number", "pan", "iban", "id_number", "passport",
    }
)  # fmt: skip

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
_MAX_DEPTH = 6


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


def _redact(value: object, depth: int = 0) -> object:
    if depth > _MAX_DEPTH:
        return "[...]"
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return {k: "[redacted]" if str(k).lower() in PII_KEYS else _redact(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_redact(v, depth + 1) for v in value)
    return value


EventDict = MutableMapping[str, object]


def redact_pii(logger: object, method_name: str, event_dict: EventDict) -> EventDict:
    """A structlog processor: mask personal data in every value of the event (names by key)."""
    for key in list(event_dict):
        if str(key).lower() in PII_KEYS:
            event_dict[key] = "[redacted]"
        else:
            event_dict[key] = _redact(event_dict[key])
    return event_dict


class LoggerLike(Protocol):
    """A structlog-style logger an app may inject: ``logger.info(event, **fields)``."""

    def debug(self, event: str, **fields: object) -> object: ...

    def info(self, event: str, **fields: object) -> object: ...

    def warning(self, event: str, **fields: object) -> object: ...

    def error(self, event: str, **fields: object) -> object: ...


_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}


class CaseflowLogger:
    """What caseflow logs through: personal data masked, then the injected logger, the host's
    structlog configuration, or the silent-by-default standard ``caseflow`` logger."""

    __slots__ = ("_target",)

    def __init__(self, target: logging.Logger | LoggerLike | None = None) -> None:
        self._target = target

    def debug(self, event: str, **fields: object) -> None:
        self._log("debug", event, fields)

    def info(self, event: str, **fields: object) -> None:
        self._log("info", event, fields)

    def warning(self, event: str, **fields: object) -> None:
        self._log("warning", event, fields)

    def error(self, event: str, **fields: object) -> None:
        self._log("error", event, fields)

    def _log(self, level: str, event: str, fields: dict[str, object]) -> None:
        target = self._target
        if target is None and not structlog.is_configured():
            target = logging.getLogger(LOGGER_NAME)
        if isinstance(target, logging.Logger):
            if target.isEnabledFor(_LEVELS[level]):  # redaction costs only when someone listens
                masked = redact_pii(None, level, dict(fields))
                text = " ".join([event, *(f"{k}={v}" for k, v in masked.items())])
                target.log(_LEVELS[level], "%s", text, extra={"caseflow": {"event": event, **masked}})
            return
        masked = redact_pii(None, level, dict(fields))
        sink = target if target is not None else structlog.get_logger(LOGGER_NAME)
        getattr(sink, level)(event, **masked)


def get_logger(logger: logging.Logger | LoggerLike | None = None) -> CaseflowLogger:
    """caseflow's logger: ``logger`` if given (stdlib or structlog-style), else the host's structlog
    configuration if there is one, else the standard ``caseflow`` logger; personal data masked."""
    return CaseflowLogger(logger)
