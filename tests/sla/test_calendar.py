"""Business calendars: DST, hours across midnight, holidays, adjusted weekends, and clear errors."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from caseflow import PolicyValidationError
from caseflow.sla import load_calendars
from caseflow.sla.calendar import BusinessCalendar, CalendarError
from caseflow.sla.timers import Timer, TimerQueue

from .helpers import JKT, LA, SH, H, la_business


def test_dst_spring_forward_and_fall_back_are_exact():
    always = BusinessCalendar.build("la", "America/Los_Angeles", always_open=True)
    assert always.elapsed(datetime(2026, 3, 8, tzinfo=LA), datetime(2026, 3, 9, tzinfo=LA)) == 23 * H
    assert always.elapsed(datetime(2026, 11, 1, tzinfo=LA), datetime(2026, 11, 2, tzinfo=LA)) == 25 * H
    night = BusinessCalendar.build("la-night", "America/Los_Angeles", {"daily": ["00:00-06:00"]})
    # the night of the spring change has 5 real hours, of the autumn change 7
    assert night.elapsed(datetime(2026, 3, 8, tzinfo=LA), datetime(2026, 3, 8, 12, tzinfo=LA)) == 5 * H
    assert night.elapsed(datetime(2026, 11, 1, tzinfo=LA), datetime(2026, 11, 1, 12, tzinfo=LA)) == 7 * H
    cal = la_business()
    assert cal.add(datetime(2026, 3, 6, 16, tzinfo=LA), hours=2) == datetime(2026, 3, 9, 10, tzinfo=LA)
    assert cal.add(datetime(2026, 10, 30, 16, tzinfo=LA), hours=2) == datetime(2026, 11, 2, 10, tzinfo=LA)


def test_hours_that_cross_midnight():
    cal = BusinessCalendar.build("late", "Asia/Jakarta", {"fri": ["22:00-02:00"]})
    assert cal.add(datetime(2026, 11, 13, 23, tzinfo=JKT), hours=2) == datetime(2026, 11, 14, 1, tzinfo=JKT)
    assert cal.add(datetime(2026, 11, 13, 23, tzinfo=JKT), hours=4) == datetime(
        2026, 11, 20, 23, tzinfo=JKT
    )  # next Friday
    assert cal.add(datetime(2026, 11, 13, 23, tzinfo=JKT), hours=1) == datetime(2026, 11, 14, 0, 0, tzinfo=JKT)
    assert cal.add(datetime(2026, 11, 13, 23, tzinfo=JKT), minutes=150) == datetime(2026, 11, 14, 1, 30, tzinfo=JKT)
    assert cal.is_open(datetime(2026, 11, 14, 1, 0, tzinfo=JKT)) and not cal.is_open(
        datetime(2026, 11, 14, 3, 0, tzinfo=JKT)
    )


def test_holidays_and_adjusted_working_weekends():
    cn = BusinessCalendar.build("cn", "Asia/Shanghai", {"mon-fri": ["09:00-18:00"]}, country="CN")
    # National Day week 2026: 17:00 on Wednesday 30 September + 2 business hours
    assert cn.add(datetime(2026, 9, 30, 17, tzinfo=SH), hours=2) == datetime(2026, 10, 8, 10, tzinfo=SH)
    assert cn.holiday_name(date(2026, 10, 1)) is not None
    # Saturday 10 October 2026 is an adjusted working day (调休)
    assert cn.is_open_day(date(2026, 10, 10)) and not cn.is_open_day(date(2026, 10, 11))
    custom = BusinessCalendar.build(
        "shop",
        "Asia/Shanghai",
        {"mon-fri": ["09:00-18:00"]},
        closures=["2026-11-11"],
        extra_working_days=["2026-11-14"],
    )
    assert not custom.is_open_day(date(2026, 11, 11)) and custom.is_open_day(date(2026, 11, 14))


def test_times_without_a_zone_and_missing_files_are_clear_errors(tmp_path):
    from caseflow import CaseflowError, TimeError

    cal = BusinessCalendar.build("x", "UTC", {"mon": ["09:00-10:00"]})
    with pytest.raises(TimeError, match="business-calendar time 2026-11-09T09:00:00 has no time zone"):
        cal.add(datetime(2026, 11, 9, 9, 0), 60)
    with pytest.raises(TimeError, match="due.*has no time zone"):  # it would have been read as local time
        Timer(key="k", due=datetime(2026, 11, 9, 9, 0), case_id="c", kind="breach")
    with pytest.raises(TimeError, match=r"TimerQueue.due\(now\)"):
        TimerQueue().due(datetime(2026, 11, 9, 9, 0))  # even with nothing queued
    with pytest.raises(PolicyValidationError, match="no-such.calendars.yaml:1:1: error: no such file"):
        load_calendars(tmp_path / "no-such.calendars.yaml")
    assert issubclass(CalendarError, CaseflowError) and issubclass(CalendarError, ValueError)


def test_bad_calendars():
    with pytest.raises(CalendarError, match="time zone"):
        BusinessCalendar.build("x", "Mars/Olympus", {"mon": ["09:00-10:00"]})
    with pytest.raises(CalendarError, match="not a span"):
        BusinessCalendar.build("x", "UTC", {"mon": ["9-5"]})
    with pytest.raises(CalendarError, match="give opening hours"):
        BusinessCalendar.build("x", "UTC", {})
