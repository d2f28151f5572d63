"""Injected clocks: caseflow never reads the wall clock inside the engine.

An engine, a fact derivation and every later timer take a :class:`Clock`. Production
code passes :class:`SystemClock`; tests and simulations pass :class:`FixedClock` and move
it forward by hand, so any run is reproducible to the second.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

from .errors import TimeError

__all__ = ["Clock", "FixedClock", "SystemClock", "ensure_aware"]


@runtime_checkable
class Clock(Protocol):
    """Anything with ``now()`` returning a timezone-aware datetime."""

    def now(self) -> datetime: ...


def ensure_aware(value: datetime, what: str = "time") -> datetime:
    """Return ``value`` unchanged, or raise :class:`~caseflow.errors.TimeError` (a ValueError)
    if it has no time zone."""
    if not isinstance(value, datetime):
        raise TimeError(f"{what} must be a datetime with a time zone, not {type(value).__name__}", code="time-invalid")
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise TimeError(
            f"{what} {value.isoformat()} has no time zone; give an offset such as "
            f"'{value.isoformat()}+00:00' or a zoneinfo time zone"
        )
    return value


class SystemClock:
    """The real time, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def __repr__(self) -> str:
        return "SystemClock()"


class FixedClock:
    """A clock that stands still until told to move: for tests and simulations."""

    def __init__(self, at: datetime | str) -> None:
        if isinstance(at, str):
            try:
                at = datetime.fromisoformat(at)
            except ValueError:
                raise TimeError(
                    f"FixedClock start {at!r} is not an ISO date-time such as '2026-11-11T10:00:00+08:00'",
                    code="time-invalid",
                ) from None
        self._now = ensure_aware(at, "FixedClock start")

    def now(self) -> datetime:
        return self._now

    def set(self, at: datetime) -> None:
        self._now = ensure_aware(at, "FixedClock.set")

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        """Move forward by ``delta`` or by ``timedelta(**kwargs)``; return the new time."""
        step = delta if delta is not None else timedelta(**kwargs)
        if step < timedelta(0):
            raise ValueError(f"a clock only moves forward; got {step}")
        try:
            self._now = self._now + step
        except OverflowError:
            raise TimeError(
                f"FixedClock: {self._now.isoformat()} + {step} is past the last time Python can hold (year 9999)",
                code="time-invalid",
            ) from None
        return self._now

    def __repr__(self) -> str:
        return f"FixedClock({self._now.isoformat()!r})"
