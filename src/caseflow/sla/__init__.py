"""Service levels: business calendars, SLA clocks and targets, warnings, breaches and timers.

- :mod:`.calendar` — business calendars (hours, time zones, holidays, closures)
- :mod:`.clock` — one metric's clock: pauses, due times, warnings, breach levels
- :mod:`.timers` — the timer queue
- :mod:`.tracker` — targets from policies, clocks from audit records, what firing a timer does
"""

from .calendar import BusinessCalendar, CalendarError
from .clock import Pause, SlaClock, SlaStatus
from .timers import Timer, TimerQueue
from .tracker import SlaTracker, TrackedClock, load_calendars

__all__ = [
    "BusinessCalendar",
    "CalendarError",
    "Pause",
    "SlaClock",
    "SlaStatus",
    "SlaTracker",
    "Timer",
    "TimerQueue",
    "TrackedClock",
    "load_calendars",
]
