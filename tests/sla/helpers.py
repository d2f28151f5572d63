"""Time zones and a business calendar the SLA tests share."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from caseflow.sla.calendar import BusinessCalendar

LA, SH, JKT = ZoneInfo("America/Los_Angeles"), ZoneInfo("Asia/Shanghai"), ZoneInfo("Asia/Jakarta")
H = 3600


def la_business() -> BusinessCalendar:
    return BusinessCalendar.build("us", "America/Los_Angeles", {"mon-fri": ["09:00-17:00"]})
