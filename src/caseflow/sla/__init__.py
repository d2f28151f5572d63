"""Service levels: business calendars, SLA clocks and targets, warnings, breaches and timers.

- :mod:`.calendar` — business calendars (hours, time zones, holidays, closures) and their files
- :mod:`.stopwatch` — one metric's clock: pauses, due times, warnings, breach levels
- :mod:`.timers` — the timer queue
- :mod:`.tracker` — targets from policies, clocks from audit records, the events timers fire
- :mod:`.marks` — what a fired timer records on the case (a workflow reaction)
"""

from .calendar import BusinessCalendar, CalendarError, load_calendars
from .marks import SlaMarks
from .stopwatch import Pause, SlaClock, SlaStatus
from .timers import Timer, TimerQueue
from .tracker import SlaTracker, TrackedClock

__all__ = [
    "BusinessCalendar",
    "CalendarError",
    "Pause",
    "SlaClock",
    "SlaMarks",
    "SlaStatus",
    "SlaTracker",
    "Timer",
    "TimerQueue",
    "TrackedClock",
    "load_calendars",
]
