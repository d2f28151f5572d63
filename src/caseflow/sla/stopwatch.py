"""SLA clocks: one metric of one case for one party, measured in a calendar's business time.

A clock starts, may pause and resume any number of times (each paused stretch is kept), and
stops. Its due time is exact to the second: the instant at which the business time elapsed
outside the paused stretches reaches the target. Warnings are given at configured percentages
of the target; at 100 % the clock is breached, and further breach levels follow every
``escalate_every`` of business time.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import NamedTuple

from .calendar import BusinessCalendar

__all__ = ["MAX_BREACH_LEVEL", "Deadline", "Pause", "SlaClock", "SlaStatus"]

MAX_BREACH_LEVEL = 10


class Deadline(NamedTuple):
    """When a clock next warns or breaches, and which mark that is (``warning:75``, ``breach:2``)."""

    at: datetime
    mark: str


@dataclass
class Pause:
    start: datetime
    end: datetime | None = None
    reason: str = ""


@dataclass(frozen=True)
class SlaStatus:
    metric: str
    party: str
    at: datetime
    elapsed_seconds: float
    target_seconds: float
    percent: float
    due_at: datetime | None  # None while paused (the due time moves) or once stopped
    state: str  # running, paused, stopped, not_started
    warnings: tuple[int, ...]  # the warning percentages reached
    breach_level: int  # 0 = not breached; 1 at the due time, +1 every escalate_every after

    @property
    def breached(self) -> bool:
        return self.breach_level > 0


@dataclass
class SlaClock:
    metric: str
    calendar: BusinessCalendar
    target_seconds: float
    party: str = "platform"
    warn_at: tuple[int, ...] = (75,)
    escalate_every_seconds: float | None = None
    started_at: datetime | None = None
    stopped_at: datetime | None = None
    pauses: list[Pause] = field(default_factory=list)

    # -- lifecycle -------------------------------------------------------------------------
    def start(self, at: datetime) -> None:
        if self.started_at is None:
            self.started_at = at

    def pause(self, at: datetime, reason: str = "") -> None:
        if self.started_at is None or self.stopped_at is not None or self.paused:
            return
        self.pauses.append(Pause(at, None, reason))

    def resume(self, at: datetime) -> None:
        if self.paused:
            self.pauses[-1].end = at

    def stop(self, at: datetime) -> None:
        if self.started_at is not None and self.stopped_at is None:
            self.resume(at)
            self.stopped_at = at

    @property
    def paused(self) -> bool:
        return bool(self.pauses) and self.pauses[-1].end is None

    @property
    def met(self) -> bool:
        """The clock stopped before its target: the business time it counted stayed under it."""
        if self.stopped_at is None:
            return False
        return self.elapsed(self.stopped_at) < self.target_seconds

    # -- arithmetic -----------------------------------------------------------------------
    def elapsed(self, at: datetime) -> float:
        """Business seconds counted up to ``at`` (paused stretches excluded)."""
        if self.started_at is None:
            return 0.0
        end = min(at, self.stopped_at) if self.stopped_at is not None else at
        total = self.calendar.elapsed(self.started_at, end)
        for p in self.pauses:
            p_end = p.end if p.end is not None else end
            lo, hi = max(p.start, self.started_at), min(p_end, end)
            if hi > lo:
                total -= self.calendar.elapsed(lo, hi)
        return max(total, 0.0)

    def due_at(self, percent: float = 100.0) -> datetime | None:
        """When the clock reaches ``percent`` of its target (None if paused now, stopped or not started)."""
        if self.started_at is None or self.stopped_at is not None or self.paused:
            return None
        remaining = self.target_seconds * percent / 100.0
        cursor = self.started_at
        for p in self.pauses:  # all closed: not paused now
            if p.end is None or p.end <= cursor:
                continue
            if p.start > cursor:
                before = self.calendar.elapsed(cursor, p.start)
                if remaining <= before:
                    return self.calendar.add(cursor, remaining)
                remaining -= before
            cursor = max(cursor, p.end)
        return self.calendar.add(cursor, remaining)

    def status(self, at: datetime) -> SlaStatus:
        state = (
            "not_started"
            if self.started_at is None
            else "stopped"
            if self.stopped_at is not None and at >= self.stopped_at
            else "paused"
            if self.paused
            else "running"
        )
        elapsed = self.elapsed(at)
        pct = 100.0 * elapsed / self.target_seconds if self.target_seconds else 0.0
        level = 0
        if elapsed >= self.target_seconds:
            level = 1
            if self.escalate_every_seconds:
                level += int((elapsed - self.target_seconds) // self.escalate_every_seconds)
        return SlaStatus(
            self.metric,
            self.party,
            at,
            elapsed,
            self.target_seconds,
            pct,
            self.due_at() if state == "running" else None,
            state,
            tuple(w for w in self.warn_at if pct >= w),
            level,
        )

    def marks(self) -> list[tuple[float, str]]:
        """The clock's marks in the order they fall due: (percent of the target, mark): the warnings,
        ``breach:1`` at 100 %, then ``breach:2``... every ``escalate_every`` (at most 10 levels)."""
        out = [(float(w), f"warning:{w}") for w in sorted(self.warn_at)] + [(100.0, "breach:1")]
        if self.escalate_every_seconds and self.target_seconds:
            for level in range(2, MAX_BREACH_LEVEL + 1):
                pct = 100.0 + 100.0 * self.escalate_every_seconds * (level - 1) / self.target_seconds
                out.append((pct, f"breach:{level}"))
        return out

    def next_deadline(self, at: datetime) -> Deadline | None:
        """The next instant after ``at`` when this clock warns or breaches."""
        if self.started_at is None or self.stopped_at is not None or self.paused:
            return None
        for pct, what in self.marks():
            t = self.due_at(pct)
            if t is not None and t > at:
                return Deadline(t, what)
        return None

    def pending_mark(self, recorded: Container[str]) -> Deadline | None:
        """The first mark not in ``recorded`` that is or will be due: the running clock's next mark, or
        for a stopped or paused clock the first one that fell due before it stopped or paused (a mark
        missed while nobody swept still fires, once). None when there is none."""
        if self.started_at is None:
            return None
        if self.stopped_at is None and not self.paused:
            return self.next_mark(recorded)
        if self.stopped_at is not None:
            horizon, ran = self.stopped_at, replace(self, stopped_at=None)
        else:
            horizon, ran = self.pauses[-1].start, replace(self, pauses=self.pauses[:-1])
        for pct, what in ran.marks():
            if what not in recorded:
                t = ran.due_at(pct)
                return Deadline(t, what) if t is not None and t <= horizon else None
        return None

    def next_mark(self, recorded: Container[str]) -> Deadline | None:
        """The first of the clock's marks not in ``recorded``, with its due time (maybe past: a mark
        that fell due while nobody looked is due at once); None when paused, stopped or done."""
        if self.started_at is None or self.stopped_at is not None or self.paused:
            return None
        for pct, what in self.marks():
            if what not in recorded:
                t = self.due_at(pct)
                return None if t is None else Deadline(t, what)
        return None
