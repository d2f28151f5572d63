"""Due-time computations per second on a holiday calendar, and finding due timers among 1M open cases,
in memory and in the stores (SQLite; PostgreSQL with --pg URL), in one run.

    python bench/sla.py [--n 20000] [--open 1000000] [--pg postgresql://USER@HOST/DB]

The reference for due times is the naive method: step one minute at a time and count the
open minutes. Both run on the same starts and targets (whole minutes, so both answers are
exact) and must agree. The timer sweep fills a TimerQueue with one timer per open case,
due over 30 days, and times repeated ``due(now)`` sweeps as the clock advances a minute.

The stores: the timers table of a fresh store filled with the same one-timer-per-case load,
then (1) sweeps a minute apart, as the in-memory queue's: the store's claim of the due timers (each
case's earliest, of cases with nothing in the inbox), their marks recorded and events queued, one
committed transaction per sweep; (2) scheduling: a case's timers
replaced in its own transaction, per second; (3) firing: due timers claimed, recorded and
queued, per second, in transactions of 500. The in-memory TimerQueue above is the reference.
"""

from __future__ import annotations

import argparse
import json
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


def _fill(store, n_open: int, rnd: random.Random, t0: datetime) -> float:  # noqa: ANN001 - a caseflow Store
    """One timer per open case, due within 30 days, inserted in one transaction; returns seconds."""
    from caseflow.store.sql import to_us

    rows = [
        (f"c{i}/first_response/platform", f"c{i}", to_us(t0) + rnd.randrange(30 * 86400) * 1_000_000, "breach",
         json.dumps({"mark": "breach:1", "mark_id": f"sla:c{i}:first_response:platform:0:breach:1",
                     "metric": "first_response"}), "v1")
        for i in range(n_open)
    ]  # fmt: skip
    t = time.perf_counter()
    with store.transaction() as tx:
        tx._many("INSERT INTO timers (key, case_id, due_us, kind, payload, policy_version) VALUES (?, ?, ?, ?, ?, ?)",
                 rows)  # fmt: skip
    return time.perf_counter() - t


def store_timers(url: str, n_open: int, rnd: random.Random) -> dict[str, float]:
    """The store's timer figures (see the module docs) for the store at ``url`` (emptied first)."""
    from caseflow.model.events import Actor, WorkflowEvent
    from caseflow.store import open_store

    t0 = datetime(2026, 11, 1, tzinfo=UTC)
    store = open_store(url, upgrade=True)
    with store.transaction() as tx:
        for table in ("timers", "fired_timers", "inbox"):
            tx._exec(f"DELETE FROM {table}")
    out = {"fill": _fill(store, n_open, rnd, t0)}
    if store.dialect == "postgresql":
        with store.transaction() as tx:
            tx._exec("ANALYZE timers")
    actor = Actor(id="sla", role="system")

    def sweep(now: datetime, limit: int) -> int:
        fired = 0
        with store.transaction() as tx:
            for claimed in tx.claim_due_timers(now, limit):
                t = claimed.timer
                if tx.mark_fired(t, t.get("mark_id") or t.key, "bench", "v1"):
                    ev = WorkflowEvent(id=t.get("mark_id") or t.key, trigger="evaluate", actor=actor, at=t.due)
                    tx.enqueue([(t.case_id, ev)])
                    fired += 1
        return fired

    sweeps, per = [], []
    now = t0
    for _ in range(200):  # a sweep a minute apart, as the in-memory queue's: the timers due in that minute fire
        now += timedelta(minutes=1)
        s = time.perf_counter()
        per.append(sweep(now, 500))
        sweeps.append(time.perf_counter() - s)
    out["sweep_mean_ms"], out["sweep_worst_ms"] = 1000 * sum(sweeps) / len(sweeps), 1000 * max(sweeps)
    out["per_sweep"] = sum(per) / len(per)
    # scheduling: one case's timers replaced in its own transaction
    from caseflow.sla.timers import Timer

    n = 2000
    s = time.perf_counter()
    for i in range(n):
        timer = Timer(f"s{i}/resolution/platform", t0 + timedelta(days=40, seconds=i), f"s{i}", "warning",
                      (("mark", "warning:75"), ("metric", "resolution")))  # fmt: skip
        with store.transaction() as tx:
            tx.replace_timers(f"s{i}", [timer], "v1")
    out["schedule"] = n / (time.perf_counter() - s)
    # firing: every timer due in the first 2 days, 500 per transaction
    s = time.perf_counter()
    fired = total = 0
    while (fired := sweep(t0 + timedelta(days=2), 500)) > 0:
        total += fired
    out["fire"] = total / (time.perf_counter() - s)
    out["fired"] = float(total)
    store.close()
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=20_000)
    ap.add_argument("--naive", type=int, default=300)
    ap.add_argument("--open", type=int, default=1_000_000)
    ap.add_argument(
        "--pg", metavar="URL", help="also measure the PostgreSQL store at this URL (its tables are emptied)"
    )
    ap.add_argument("--db", default="bench-sla.db", help="the SQLite file (created, emptied)")
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
    stores = [("SQLite", f"sqlite:///{a.db}")] + ([("PostgreSQL", a.pg)] if a.pg else [])
    for name, url in stores:
        f = store_timers(url, a.open, random.Random(5))
        print(f"store timers, {name}: {a.open:,} open timers filled in {f['fill']:.1f} s")
        print(
            "  sweep, a minute apart (each case's earliest due: claimed, recorded, queued, committed)\n"
            f"    mean {f['sweep_mean_ms']:.2f} ms, worst {f['sweep_worst_ms']:.2f} ms, {f['per_sweep']:.0f} timers "
            f"per sweep ({f['sweep_mean_ms'] / (mean * 1000):.1f}x the in-memory sweep; target <= 10 ms on SQLite)"
        )
        print(f"  schedule (a case's timers, one transaction each)       {f['schedule']:>10,.0f} /s")
        fire = f"{f['fire']:>10,.0f} /s ({f['fired']:,.0f} fired)"
        print(f"  fire (claimed, recorded, queued; 500 per transaction)   {fire}")
    return 0 if not mismatch else 1


if __name__ == "__main__":
    sys.exit(main())
