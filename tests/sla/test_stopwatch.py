"""SLA clocks: pauses stretch the due time exactly; warnings and several breach levels."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from caseflow.sla.calendar import BusinessCalendar
from caseflow.sla.stopwatch import SlaClock

from .helpers import LA, H, la_business


def test_pause_resume_stretches_and_exact_due_times():
    c = SlaClock("resolution", la_business(), target_seconds=4 * H, warn_at=(50, 75))
    start = datetime(2026, 11, 2, 9, tzinfo=LA)  # Monday
    c.start(start)
    c.pause(start + timedelta(hours=1), "awaiting_customer")
    c.resume(start + timedelta(hours=5))
    c.pause(start + timedelta(hours=6))
    c.resume(datetime(2026, 11, 3, 9, tzinfo=LA))
    assert [(p.start.hour, p.end.hour) for p in c.pauses] == [(10, 14), (15, 9)]
    assert c.elapsed(datetime(2026, 11, 3, 9, tzinfo=LA)) == 2 * H
    assert c.due_at() == datetime(2026, 11, 3, 11, tzinfo=LA)
    assert c.due_at(75) == datetime(2026, 11, 3, 10, tzinfo=LA)
    st = c.status(datetime(2026, 11, 3, 10, 30, tzinfo=LA))
    assert st.warnings == (50, 75) and st.breach_level == 0 and st.percent == 87.5


def test_several_breach_levels():
    c = SlaClock(
        "first_response",
        BusinessCalendar.build("a", "UTC", always_open=True),
        target_seconds=H,
        escalate_every_seconds=H,
    )
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    c.start(t0)
    assert [c.status(t0 + timedelta(minutes=m)).breach_level for m in (59, 60, 119, 120, 181)] == [0, 1, 1, 2, 3]
    assert c.next_deadline(t0) == (t0 + timedelta(minutes=45), "warning:75")
