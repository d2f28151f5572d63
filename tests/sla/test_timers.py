"""The timer queue: oldest first, rescheduled, cancelled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from caseflow.sla.timers import Timer, TimerQueue


def test_timer_queue_oldest_first_reschedule_cancel():
    q = TimerQueue()
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    for i, minutes in enumerate([30, 10, 20, 40]):
        q.schedule(Timer(f"k{i}", t0 + timedelta(minutes=minutes), f"c{i}", "breach"))
    q.schedule(Timer("k3", t0 + timedelta(minutes=5), "c3", "breach"))  # moved earlier
    q.cancel("k2")
    assert [t.key for t in q.due(t0 + timedelta(minutes=30))] == ["k3", "k1", "k0"]
    assert len(q) == 0 and q.peek() is None
