"""A timer queue: the timers due at a given time, oldest first, without scanning all open cases.

A binary heap ordered by due time; rescheduling or cancelling a timer marks the old heap
entry stale (lazy deletion), so every operation is O(log n) and ``due(now)`` touches only the
timers that are due. Time comes from the caller (an injected clock): simulations and tests
run in simulated time, to the second.
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass
from datetime import datetime

from ..clock import ensure_aware

__all__ = ["Timer", "TimerPayload", "TimerQueue"]

TimerPayload = tuple[tuple[str, str], ...]
"""A timer's (name, value) pairs: ``metric``, ``mark`` and ``rule``, and for a platform deadline the
``workflow`` and ``trigger`` to fire; pairs, not a dict, so that a timer is hashable."""


@dataclass(frozen=True)
class Timer:
    key: str  # unique per timer, e.g. "CS-1/first_response/breach:1" or "CS-1/return_and_refund/lapse"
    due: datetime
    case_id: str
    kind: str  # warning, breach, platform
    payload: TimerPayload = ()

    def __post_init__(self) -> None:
        if not isinstance(self.due, datetime) or self.due.utcoffset() is None:  # read as local time otherwise
            ensure_aware(self.due, f"timer {self.key!r} due")

    def get(self, name: str, default: str | None = None) -> str | None:
        """The payload's value of ``name`` (``default`` if it has none)."""
        return dict(self.payload).get(name, default)


class TimerQueue:
    def __init__(self) -> None:
        self._heap: list[tuple[float, int, str]] = []
        self._live: dict[str, tuple[int, Timer]] = {}
        self._seq = itertools.count()

    def schedule(self, timer: Timer) -> None:
        """Add a timer, or move it (same key) to its new due time."""
        n = next(self._seq)
        self._live[timer.key] = (n, timer)
        heapq.heappush(self._heap, (timer.due.timestamp(), n, timer.key))

    def cancel(self, key: str) -> bool:
        return self._live.pop(key, None) is not None

    def due(self, now: datetime, limit: int | None = None) -> list[Timer]:
        """Remove and return the timers due at or before ``now``, oldest first."""
        out: list[Timer] = []
        cutoff = ensure_aware(now, "TimerQueue.due(now)").timestamp()
        heap = self._heap
        while heap and heap[0][0] <= cutoff and (limit is None or len(out) < limit):
            _, n, key = heapq.heappop(heap)
            live = self._live.get(key)
            if live is None or live[0] != n:
                continue  # cancelled or rescheduled: a stale entry
            del self._live[key]
            out.append(live[1])
        return out

    def peek(self) -> datetime | None:
        while self._heap:
            _, n, key = self._heap[0]
            live = self._live.get(key)
            if live is not None and live[0] == n:
                return live[1].due
            heapq.heappop(self._heap)
        return None

    def __len__(self) -> int:
        return len(self._live)

    def __contains__(self, key: object) -> bool:
        return key in self._live
