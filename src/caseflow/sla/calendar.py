"""Business calendars: opening hours per weekday in a time zone, holidays, closures, extra working days.

All arithmetic is exact to the second. Opening hours are wall-clock times in the calendar's
time zone; each day's hours are turned into UTC instants through ``zoneinfo``, so a business
day that spans a daylight-saving change is as long as it really is. Hours may cross midnight
(``22:00-02:00``). Public holidays come from the ``holidays`` package by country (with
China's adjusted working weekends); custom closures and extra working days come from YAML.

::

    cal = BusinessCalendar.build("cn-chat", "Asia/Shanghai", {"mon-fri": ["09:00-18:00"]}, country="CN")
    due = cal.add(start, hours=8)           # 8 business hours after start
    spent = cal.elapsed(start, end)         # business seconds between two instants

Every problem is a :class:`~caseflow.errors.CalendarError` (``calendar-invalid``): a bad time zone,
day, span or date, and arithmetic that would leave Python's years 1 to 9999, a business time that
is not a finite number of seconds, or an ``elapsed`` over more than :data:`MAX_SPAN_DAYS` days
(counted day by day, it would run for minutes).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, JsonValue

from ..clock import ensure_aware
from ..errors import CalendarError, CaseflowError, PolicyIssue, PolicyValidationError
from ..policies.schema import Document, document_keys, document_schema
from ..policies.source import MAX_BYTES, Located, clip, read_yaml

__all__ = [
    "BusinessCalendar",
    "CalendarDocument",
    "CalendarError",
    "CalendarsDocument",
    "calendars_schema",
    "load_calendars",
    "parse_hours",
]

UTC = UTC
_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
MAX_SEARCH_DAYS = 3 * 366
MAX_SPAN_DAYS = 200 * 366
"""The longest stretch ``elapsed`` counts business time over (two centuries)."""
_T = TypeVar("_T")


def _in_range(name: str, at: str, work: Callable[[], _T]) -> _T:
    """``work()``; a date it would take past Python's years 1 to 9999 is a CalendarError, not an OverflowError."""
    try:
        return work()
    except CaseflowError:
        raise
    except (OverflowError, ValueError):  # date value out of range; year 10000 is out of range
        raise CalendarError(f"{name}: business time from {at} leaves the years 1 to 9999") from None


def _minutes(h: str, m: str, what: str) -> int:
    hh, mm = int(h), int(m)
    if hh > 24 or mm > 59 or (hh == 24 and mm != 0):
        raise CalendarError(f"{what}: {h}:{m} is not a time of day")
    return hh * 60 + mm


def _weekdays(spec: object) -> list[int]:
    out: list[int] = []
    spec = clip(str(spec), 60)
    for part in spec.lower().replace(" ", "").split(","):
        if part in ("daily", "all", "every_day"):
            out.extend(range(7))
        elif "-" in part:
            a, b = part.split("-", 1)
            if a not in _DAYS or b not in _DAYS:
                raise CalendarError(f"{spec!r}: days are mon, tue, wed, thu, fri, sat, sun (ranges such as mon-fri)")
            i, j = _DAYS.index(a), _DAYS.index(b)
            out.extend(range(i, j + 1) if i <= j else [*range(i, 7), *range(0, j + 1)])
        elif part in _DAYS:
            out.append(_DAYS.index(part))
        else:
            raise CalendarError(f"{spec!r}: days are mon, tue, wed, thu, fri, sat, sun (ranges such as mon-fri)")
    return out


def _span(key: object, s: object) -> tuple[int, int]:
    """A span such as ``09:00-18:00`` of day ``key``, in minutes from midnight (its end may be before its start)."""
    m = _SPAN.match(s) if isinstance(s, str) else None
    if not m:
        raise CalendarError(f"{clip(str(key))}: {clip(repr(s))} is not a span such as 09:00-18:00")
    a = _minutes(m.group(1), m.group(2), clip(str(key)))
    b = _minutes(m.group(3), m.group(4), clip(str(key)))
    if a == b:
        raise CalendarError(f"{clip(str(key))}: {s!r} is empty; write 00:00-24:00 for a whole day")
    return a, b


def parse_hours(spec: dict[str, Iterable[str]]) -> tuple[tuple[tuple[int, int], ...], ...]:
    """``{"mon-fri": ["09:00-12:00", "13:00-18:00"], "sat": ["22:00-02:00"]}`` into per-weekday minute spans.

    A span that ends at or before it starts crosses midnight: its tail belongs to the next day.
    """
    days: list[list[tuple[int, int]]] = [[] for _ in range(7)]
    for key, spans in spec.items():
        if isinstance(spans, str):
            spans = [spans]
        if not isinstance(spans, (list, tuple)):
            raise CalendarError(f"{clip(str(key))}: give spans such as ['09:00-18:00'], not {type(spans).__name__}")
        for wd in _weekdays(key):
            for s in spans:
                a, b = _span(key, s)
                if b > a:
                    days[wd].append((a, b))
                else:  # crosses midnight
                    days[wd].append((a, 24 * 60))
                    if b > 0:
                        days[(wd + 1) % 7].append((0, b))
    return tuple(_merged(day) for day in days)


def _merged(day: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """A day's spans sorted, overlapping ones joined."""
    out: list[tuple[int, int]] = []
    for a, b in sorted(day):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return tuple(out)


@dataclass(frozen=True, eq=False)
class BusinessCalendar:
    name: str
    tz: ZoneInfo
    hours: tuple[tuple[tuple[int, int], ...], ...]  # per weekday (0 = Monday), minute spans
    closed: frozenset[date] = frozenset()  # public holidays and custom closures
    extra_working: dict[date, int] = field(default_factory=dict)  # date -> weekday whose hours apply
    always_open: bool = False
    country: str | None = None
    _years: set[int] = field(default_factory=set, repr=False)
    _holiday_names: dict[date, str] = field(default_factory=dict, repr=False)

    @classmethod
    def build(
        cls,
        name: str,
        tz: str,
        hours: dict[str, Iterable[str]] | None = None,
        *,
        country: str | None = None,
        subdivision: str | None = None,
        closures: Iterable[date | str] = (),
        extra_working_days: Iterable[date | str] = (),
        extra_working_hours_of: str = "mon",
        always_open: bool = False,
    ) -> BusinessCalendar:
        try:
            zone = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError, OSError, TypeError):  # a key too long for a file name
            raise CalendarError(
                f"{name}: unknown time zone {clip(repr(tz))}; use an IANA name such as Asia/Shanghai"
            ) from None
        spans: tuple[tuple[tuple[int, int], ...], ...]
        if always_open:
            spans = tuple(((0, 24 * 60),) for _ in range(7))
        else:
            if not hours:
                raise CalendarError(f"{name}: give opening hours, or always_open: true for a 24/7 calendar")
            spans = parse_hours(hours)
            if not any(spans):
                raise CalendarError(f"{name}: the calendar is never open")
        cal = cls(
            name,
            zone,
            spans,
            frozenset(_date(d) for d in closures),
            {_date(d): _weekdays(extra_working_hours_of)[0] for d in extra_working_days},
            always_open,
            country,
        )
        if country is not None:
            try:
                import holidays

                holidays.country_holidays(country, subdiv=subdivision, years=2026)
            except (NotImplementedError, KeyError, AttributeError):
                raise CalendarError(f"{name}: the holidays package has no country {clip(repr(country))}") from None
            object.__setattr__(cal, "_subdivision", subdivision)
        return cal

    def in_zone(self, tz: str) -> BusinessCalendar:
        """This calendar with its opening hours read in time zone ``tz`` (a seller's in Makassar rather
        than Jakarta): the same hours, closures and country's holidays; the same calendar when ``tz`` is
        its own zone. Copies are kept, one per zone."""
        if tz == self.tz.key:
            return self
        zones: dict[str, BusinessCalendar] = self.__dict__.setdefault("_zones", {})
        got = zones.get(tz)
        if got is None:
            try:
                zone = ZoneInfo(tz)
            except (ZoneInfoNotFoundError, ValueError, OSError, TypeError):
                raise CalendarError(
                    f"{self.name}: unknown time zone {clip(repr(tz))}; use an IANA name such as Asia/Jakarta"
                ) from None
            got = BusinessCalendar(
                f"{self.name}@{tz}",
                zone,
                self.hours,
                self.closed,
                dict(self.extra_working),
                self.always_open,
                self.country,
                set(self._years),
                dict(self._holiday_names),
            )
            if hasattr(self, "_subdivision"):
                object.__setattr__(got, "_subdivision", getattr(self, "_subdivision"))  # noqa: B009
            zones[tz] = got
        return got

    # -- holidays, loaded per year on demand ----------------------------------------------
    def _load_year(self, year: int) -> None:
        if self.country is None or year in self._years:
            return
        import holidays

        h = holidays.country_holidays(self.country, subdiv=getattr(self, "_subdivision", None), years=year)
        closed = set(self.closed)
        for d, label in h.items():
            closed.add(d)
            self._holiday_names[d] = label
        object.__setattr__(self, "closed", frozenset(closed))
        for d in getattr(h, "weekend_workdays", ()) or ():
            if d not in self.extra_working:
                self.extra_working[d] = 0  # an adjusted working weekend keeps Monday's hours
        self._years.add(year)
        self._intervals.cache_clear()

    def holiday_name(self, d: date) -> str | None:
        self._load_year(d.year)
        return self._holiday_names.get(d)

    def is_open_day(self, d: date) -> bool:
        return bool(self.local_spans(d))

    def local_spans(self, d: date) -> tuple[tuple[int, int], ...]:
        self._load_year(d.year)
        if self.always_open:
            return ((0, 24 * 60),)
        if d in self.extra_working:
            return self.hours[self.extra_working[d]]
        if d in self.closed:
            return ()
        return self.hours[d.weekday()]

    @lru_cache(maxsize=4096)  # noqa: B019 - calendars are few and long-lived
    def _intervals(self, d: date) -> tuple[tuple[float, float], ...]:
        """The day's open spans as UTC epoch seconds."""
        out: list[tuple[float, float]] = []
        for a, b in self.local_spans(d):
            start = datetime.combine(d, time(a // 60, a % 60), self.tz)
            if b < 24 * 60:
                end = datetime.combine(d, time(b // 60, b % 60), self.tz)
            elif d < date.max:
                end = datetime.combine(d + timedelta(days=1), time(0), self.tz)
            else:  # the last day there is
                end = datetime.combine(d, time.max, self.tz)
            s, e = start.timestamp(), end.timestamp()
            if e > s:
                if out and s <= out[-1][1]:
                    out[-1] = (out[-1][0], max(out[-1][1], e))
                else:
                    out.append((s, e))
        return tuple(out)

    def _local_date(self, ts: float) -> date:
        return datetime.fromtimestamp(ts, self.tz).date()

    # -- arithmetic -----------------------------------------------------------------------
    def add(self, start: datetime, seconds: float = 0, **kwargs: float) -> datetime:
        """The instant ``seconds`` (or ``hours=``, ``minutes=`` ...) of business time after ``start``."""
        return _in_range(self.name, _iso(start), lambda: self._add(start, seconds, **kwargs))

    def _add(self, start: datetime, seconds: float = 0, **kwargs: float) -> datetime:
        remaining = seconds + timedelta(**kwargs).total_seconds() if kwargs else float(seconds)
        if not math.isfinite(remaining):
            raise CalendarError(f"{self.name}: business time is a finite number of seconds, not {remaining}")
        if remaining < 0:
            raise CalendarError("business time only moves forward")
        ts = _aware(start).timestamp()
        d = _day_before(self._local_date(ts))  # a span crossing midnight may start the day before
        for _ in range(MAX_SEARCH_DAYS):
            for s, e in self._intervals(d):
                if e <= ts:
                    continue
                lo = max(s, ts)
                if remaining <= e - lo:
                    return datetime.fromtimestamp(lo + remaining, UTC).astimezone(start.tzinfo)
                remaining -= e - lo
                ts = e
            d += timedelta(days=1)
        raise CalendarError(f"{self.name}: no business time found within {MAX_SEARCH_DAYS} days of {start.isoformat()}")

    def elapsed(self, start: datetime, end: datetime) -> float:
        """Business seconds between two instants (0 when end is not after start)."""
        return _in_range(self.name, _iso(start), lambda: self._elapsed(start, end))

    def _elapsed(self, start: datetime, end: datetime) -> float:
        a, b = _aware(start).timestamp(), _aware(end).timestamp()
        if b <= a:
            return 0.0
        if b - a > MAX_SPAN_DAYS * 86_400:
            raise CalendarError(
                f"{self.name}: business time is counted over at most {MAX_SPAN_DAYS:,} days, not from "
                f"{_iso(start)} to {_iso(end)}"
            )
        total = 0.0
        d = _day_before(self._local_date(a))
        last = self._local_date(b)
        while d <= last:
            for s, e in self._intervals(d):
                lo, hi = max(s, a), min(e, b)
                if hi > lo:
                    total += hi - lo
            d += timedelta(days=1)
        return total

    def next_open(self, at: datetime) -> datetime:
        """``at`` if the calendar is open then, else the next opening."""
        return self.add(at, 0)

    def is_open(self, at: datetime) -> bool:
        def work() -> bool:
            ts = _aware(at).timestamp()
            d = self._local_date(ts)
            return any(s <= ts < e for day in {_day_before(d), d} for s, e in self._intervals(day))

        return _in_range(self.name, _iso(at), work)

    def __hash__(self) -> int:
        return id(self)


def _day_before(d: date) -> date:
    return d - timedelta(days=1) if d > date.min else d


def _iso(at: object) -> str:
    return at.isoformat() if isinstance(at, datetime) else clip(repr(at))


def _date(d: object) -> date:
    if isinstance(d, datetime):
        return d.date()
    if isinstance(d, date):
        return d
    try:
        return date.fromisoformat(str(d))
    except ValueError:
        raise CalendarError(f"{clip(repr(d))} is not a date such as 2026-10-01") from None


def _aware(dt: datetime) -> datetime:
    if dt.tzinfo is None or dt.utcoffset() is None:
        ensure_aware(dt, "a business-calendar time")  # raises TimeError (a ValueError)
    return dt


class CalendarDocument(Document):
    """One business calendar of a ``*.calendars.yaml`` file."""

    timezone: str = Field("UTC", description="an IANA time zone such as Asia/Shanghai")
    hours: dict[str, str | list[str]] | None = Field(
        None,
        description="opening hours per weekday or range: {mon-fri: ['09:00-12:00', '13:00-18:00'], sat: '10:00-16:00'}",
    )
    country: str | None = Field(None, description="public holidays of this country (ISO 3166-1 alpha-2, e.g. CN, ID)")
    subdivision: str | None = None
    closures: list[date | str] = Field(default_factory=list, description="extra closed days")
    extra_working_days: list[date | str] = Field(default_factory=list, description="weekend days worked")
    always_open: bool = Field(False, description="a 24/7 calendar")


class CalendarsDocument(Document):
    calendars: dict[str, CalendarDocument]


def calendars_schema() -> dict[str, JsonValue]:
    """The JSON Schema of ``*.calendars.yaml`` files, generated from :class:`CalendarsDocument`."""
    return document_schema(CalendarsDocument, "calendars", "caseflow business calendars")


_CALENDAR_KEYS = document_keys(CalendarDocument)


def load_calendars(path: str | Path, *, max_bytes: int = MAX_BYTES) -> dict[str, BusinessCalendar]:
    """Read ``calendars:`` from a ``*.calendars.yaml`` file; every problem at once, with file:line:column."""
    doc, issues = read_yaml(Path(path), max_bytes=max_bytes)
    if doc is None or issues:
        raise PolicyValidationError(issues)
    data = doc.data
    calendars = data.get("calendars") if isinstance(data, dict) else None
    if not isinstance(data, dict) or not isinstance(calendars, dict):
        raise PolicyValidationError([doc.issue((), "calendar-structure", "the file needs a 'calendars' mapping")])
    for k in sorted(set(data) - {"calendars"}, key=str):
        issues.append(
            doc.issue((k,), "calendar-unknown-key", f"unknown key {k!r}", "the file holds 'calendars:'", key=True)
        )
    out: dict[str, BusinessCalendar] = {}
    for name, spec in calendars.items():
        cal = _calendar(doc, str(name), spec, issues)
        if cal is not None:
            out[str(name)] = cal
    if issues:
        raise PolicyValidationError(issues)
    return out


def _calendar(doc: Located, name: str, spec: object, issues: list[PolicyIssue]) -> BusinessCalendar | None:
    """One calendar of the file, or None with its problem added to ``issues``."""
    path = ("calendars", name)
    if not isinstance(spec, dict):
        issues.append(doc.issue(path, "calendar-structure", f"calendar {name!r} is a mapping"))
        return None
    unknown = sorted(set(spec) - _CALENDAR_KEYS, key=str)
    if unknown:
        issues.append(
            doc.issue(
                path + (unknown[0],),
                "calendar-unknown-key",
                f"unknown key {unknown[0]!r} in calendar {name!r}",
                f"allowed: {', '.join(sorted(_CALENDAR_KEYS))}",
                key=True,
            )
        )
        return None
    hours = spec.get("hours")
    if hours is not None and not (isinstance(hours, dict) and all(isinstance(v, str | list) for v in hours.values())):
        issues.append(
            doc.issue(
                path + ("hours",), "calendar-invalid", f"{name}: hours map days to spans, e.g. mon-fri: ['09:00-18:00']"
            )
        )
        return None
    if not isinstance(spec.get("always_open", False), bool):
        issues.append(doc.issue(path + ("always_open",), "calendar-invalid", f"{name}: always_open is true or false"))
        return None
    for key in ("closures", "extra_working_days"):
        if not isinstance(spec.get(key) or [], list):
            issues.append(
                doc.issue(path + (key,), "calendar-invalid", f"{name}: {key} is a list of dates such as 2026-10-01")
            )
            return None
    try:
        return BusinessCalendar.build(
            name,
            str(spec.get("timezone", "UTC")),
            hours,
            country=None if spec.get("country") is None else str(spec["country"]),
            subdivision=None if spec.get("subdivision") is None else str(spec["subdivision"]),
            closures=spec.get("closures") or [],
            extra_working_days=spec.get("extra_working_days") or [],
            always_open=spec.get("always_open", False),
        )
    except CalendarError as e:
        issues.append(doc.issue(path, e.code, e.args[0]))
        return None
