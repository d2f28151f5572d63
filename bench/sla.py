"""Due-time computations per second on a holiday calendar, and finding due timers among 1M open cases.

    python bench/sla.py [--n 20000] [--open 1000000]

The reference for due times is the naive method: step one minute at a time and count the
open minutes. Both run on the same starts and targets (whole minutes, so both answers are
exact) and must agree. The timer sweep fills a TimerQueue with one timer per open case,
due over 30 days, and times repeated ``due(now)`` sweeps as the clock advances a minute.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from caseflow.sla.calendar import BusinessCalendar
from caseflow.sla.timers import Timer, TimerQueue

SH = ZoneInfo("Asia/Shanghai")


def naive_add(cal: BusinessCalendar, start: datetime, minutes: int) -> datetime:
    """Step minute by minute; the answer is the end of the last open minute counted."""
    t = start
    left = minutes
    while left > 0:
        if cal.is_open(t):
            left -= 1
            if left == 0:
                return t + timedelta(minutes=1)
        t += timedelta(minutes=1)
    return start


def due_times(cal: BusinessCalendar, n: int, n_naive: int, rnd: random.Random) -> tuple[float, float, list]:
    """Rates of ``BusinessCalendar.add`` on ``n`` due times and of the naive method on the first ``n_naive``.

    Returns (fast rate, naive rate, the starts where the two answers differ).
    """
    base = datetime(2026, 1, 1, tzinfo=SH)
    starts = [base + timedelta(minutes=rnd.randrange(365 * 24 * 60)) for _ in range(n)]
    targets = [rnd.choice([30, 120, 480, 1440, 2880]) for _ in range(n)]  # minutes of business time

    # the fast path, warm (calendars are long-lived; per-day intervals are cached)
    for s, m in zip(starts[:2000], targets[:2000], strict=True):
        cal.add(s, minutes=m)
    t = time.perf_counter()
    fast = [cal.add(s, minutes=m) for s, m in zip(starts, targets, strict=True)]
    fast_rate = n / (time.perf_counter() - t)

    t = time.perf_counter()
    naive = [naive_add(cal, s, m) for s, m in zip(starts[:n_naive], targets[:n_naive], strict=True)]
    naive_rate = n_naive / (time.perf_counter() - t)
    # the naive answers cover only the first n_naive starts: zip stops there
    mismatch = [(s, m, f, n) for s, m, f, n in zip(starts, targets, fast, naive, strict=False) if f != n]
    return fast_rate, naive_rate, mismatch


def timer_sweeps(n_open: int, rnd: random.Random) -> tuple[float, list[tuple[float, int]]]:
    """Fill a TimerQueue with one timer per open case, due within 30 days, then sweep it a minute apart.

    Returns (seconds to fill, [(seconds, timers fired)] of each of 200 sweeps).
    """
    q = TimerQueue()
    t0 = datetime(2026, 11, 1, tzinfo=UTC)
    t = time.perf_counter()
    for i in range(n_open):
        q.schedule(
            Timer(f"c{i}/first_response/platform", t0 + timedelta(seconds=rnd.randrange(30 * 86400)), f"c{i}", "breach")
        )
    fill = time.perf_counter() - t
    sweeps = []
    now = t0
    for _ in range(200):
        now += timedelta(minutes=1)
        s = time.perf_counter()
        fired = q.due(now)
        sweeps.append((time.perf_counter() - s, len(fired)))
    return fill, sweeps


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=20_000)
    ap.add_argument("--naive", type=int, default=300)
    ap.add_argument("--open", type=int, default=1_000_000)
    a = ap.parse_args()
    cal = BusinessCalendar.build("cn", "Asia/Shanghai", {"mon-fri": ["09:00-12:00", "13:00-18:00"]}, country="CN")
    rnd = random.Random(5)
    fast_rate, naive_rate, mismatch = due_times(cal, a.n, a.naive, rnd)
    fill, sweeps = timer_sweeps(a.open, rnd)
    worst = max(x for x, _ in sweeps)
    mean = sum(x for x, _ in sweeps) / len(sweeps)
    per = sum(n for _, n in sweeps) / len(sweeps)

    print(f"due times: {a.n:,} on a CN calendar with holidays and adjusted weekends (python {sys.version.split()[0]})")
    print(f"  BusinessCalendar.add           {fast_rate:>10,.0f} computations/s   (target >= 50,000)")
    print(
        f"  naive minute stepping          {naive_rate:>10,.1f} computations/s   "
        f"(on {a.naive}; {fast_rate / naive_rate:,.0f}x)"
    )
    print(f"  answers agree                  {not mismatch} ({len(mismatch)} mismatches on {a.naive})")
    print(f"timers: {a.open:,} open cases, one timer each; filled in {fill:.1f} s")
    print(
        f"  due(now) sweep, a minute apart  mean {mean * 1000:.2f} ms, worst {worst * 1000:.2f} ms, "
        f"{per:.0f} timers fired per sweep   (target <= 50 ms)"
    )
    return 0 if not mismatch else 1


if __name__ == "__main__":
    sys.exit(main())
