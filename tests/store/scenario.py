"""A deterministic workload for the store tests: cases and their events, and the service that applies them.

Used in-process by the tests and, as ``python -m tests.store.scenario URL ...``, by the worker
processes they start (their own engine, their own connection)."""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from caseflow import Actor, Engine, FixedClock, WorkflowEvent, Workflows, load_policies
from caseflow.sla import SlaTracker, load_calendars
from caseflow.store import CaseService, open_store
from caseflow.store.effects import default_effects
from caseflow.testing import make_case
from tests.helpers import RULES

T0 = datetime(2026, 11, 11, 2, 0, tzinfo=UTC)
INTAKE = Actor(id="intake", role="system")
AGENT = Actor(id="agent-1", role="tier1_agent")
BUYER = Actor(id="buyer-1", role="buyer")

_FLOW = [
    ("triage", AGENT),
    ("start_work", AGENT),
    ("ask_customer", AGENT),
    ("customer_replied", BUYER),
    ("ask_customer", AGENT),
    ("customer_replied", BUYER),
]


def service(
    url: str,
    *,
    worker_id: str = "main",
    slow_effects: float = 0.0,
    marker: str | None = None,
    upgrade: bool = False,
    die_at: int = 0,
) -> CaseService:
    clock = FixedClock(T0)
    engine = Engine(load_policies([RULES, RULES / "sla"]), clock=clock, backend="python")
    tracker = SlaTracker(engine, load_calendars(RULES / "sla" / "sla.calendars.yaml"))
    effects = default_effects()
    if slow_effects or marker or die_at:
        inner = effects
        seen = [0]

        def effects(outcome):  # runs inside the transaction of every event: marks it, then takes its time
            seen[0] += 1
            if die_at and seen[0] == die_at:  # a crash in the middle of a transaction: nothing of it stays
                os._exit(9)
            if marker:
                Path(marker).touch()
            time.sleep(slow_effects)
            return inner(outcome)

    store = open_store(url, upgrade=upgrade, clock=clock)
    return CaseService(
        store,
        Workflows(engine=engine),
        tracker=tracker,
        effects=effects,
        clock=clock,
        worker_id=worker_id,
        batch_cases=5,
    )


def _svc(url: str, **kw) -> CaseService:
    """The scenario's service on a store whose schema it creates first (how most store tests start)."""
    return service(url, upgrade=True, **kw)


def cases(n: int, seed: int = 7) -> list:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        kind = rnd.choice(["refund_only", "refund_only", "return_and_refund", "order_status"])
        amount = rnd.choice(["35.00", "120.00", "899.00"])
        out.append(
            make_case(
                id=f"CS-{i:04d}",
                case_type=kind,
                created_at=(T0 + timedelta(minutes=i)).isoformat(),
                buyer={
                    "id": f"buyer-{i % 13}",
                    "segment": rnd.choice(["new", "regular", "vip"]),
                    "history": {"orders_total": rnd.randint(0, 40), "refunds_90d": rnd.randint(0, 6)},
                },
                request=None
                if kind == "order_status"
                else {"kind": kind, "amount": f"{amount} CNY", "reason": "damaged"},
                orders=[
                    {
                        "id": f"order-{i}",
                        "amount": f"{amount} CNY",
                        "placed_at": "2026-11-01T10:00:00+08:00",
                        "shipped_at": "2026-11-02T10:00:00+08:00",
                        "delivered_at": "2026-11-05T10:00:00+08:00",
                        "items": [{"sku": "SKU-1", "category": "apparel"}],
                    }
                ],
            )
        )
    return out


def events(n_cases: int, seed: int = 7) -> list[tuple[str, WorkflowEvent]]:
    """Every case's tier-1 events, interleaved across cases; some are refused on purpose
    (a trigger out of place), and some are redelivered (the same id twice)."""
    rnd = random.Random(seed)
    per_case = []
    for i in range(n_cases):
        cid = f"CS-{i:04d}"
        evs = []
        at = T0 + timedelta(minutes=i)
        for k, (trig, actor) in enumerate(_FLOW[: rnd.randint(2, len(_FLOW))]):
            at += timedelta(minutes=rnd.randint(1, 90))
            evs.append((cid, WorkflowEvent(id=f"{cid}:e{k}", trigger=trig, actor=actor, at=at)))
        if rnd.random() < 0.2:  # refused: no such trigger from this state
            evs.insert(1, (cid, WorkflowEvent(id=f"{cid}:bad", trigger="close", actor=AGENT, at=at)))
        if rnd.random() < 0.2:  # redelivered
            evs.append(evs[-1])
        per_case.append(evs)
    out = []
    while any(per_case):
        evs = rnd.choice([e for e in per_case if e])
        out.append(evs.pop(0))
    return out


def load(svc: CaseService, n_cases: int) -> None:
    """Open the cases (queued) and queue their events."""
    for c in cases(n_cases):
        svc.submit_open(c, actor=INTAKE, at=c.created_at)
    svc.submit_many(events(n_cases))


def snapshot(svc: CaseService) -> dict:
    """Everything a run leaves behind, comparable between runs."""
    store = svc.store
    return {
        "cases": {c.id: c.model_dump(mode="json") for c in store.cases()},
        "records": {cid: [r.model_dump(mode="json") for r in store.records(cid)] for cid in store.case_ids()},
        "outbox": sorted((m.key, m.kind, json.dumps(m.payload, sort_keys=True)) for m in store.outbox()),
        "timers": sorted((t.key, t.due.isoformat()) for t in store.timers()),
        "failed": sorted((f["event_id"], f["error"]) for f in store.failed_events()),
        "counts": {k: v for k, v in store.counts().items() if k != "outbox_pending"},
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("mode", choices=["work", "timers", "sweep"])
    ap.add_argument("--die-at", type=int, default=0, help="crash (exit 9) inside the transaction of the Nth event")
    ap.add_argument("--worker", default=f"w{os.getpid()}")
    ap.add_argument("--slow", type=float, default=0.0)
    ap.add_argument("--marker")
    ap.add_argument("--now")
    ap.add_argument("--go", help="wait for this file before starting (all workers start together)")
    ap.add_argument("--ready", help="create this file once set up")
    ap.add_argument("--pause", type=float, default=0.0, help="seconds between batches (lets SQLite's other writers in)")
    a = ap.parse_args(argv)
    svc = service(a.url, worker_id=a.worker, slow_effects=a.slow, marker=a.marker, die_at=a.die_at)
    if a.ready:
        Path(a.ready).touch()
    if a.go:
        while not Path(a.go).exists():
            time.sleep(0.005)
    if a.mode == "sweep":  # a worker after downtime: apply events and fire due timers until nothing is left
        now = datetime.fromisoformat(a.now) if a.now else T0
        applied = fired_n = idle = 0
        while idle < 20:
            r = svc.work()
            fired = svc.fire_timers(now, limit=5)
            applied, fired_n = applied + r.applied, fired_n + len(fired)
            idle = idle + 1 if r.events == 0 and not fired else 0
            time.sleep(0.01 if r.events == 0 and not fired else a.pause)
        print(json.dumps({"applied": applied, "fired": fired_n}))
    elif a.mode == "work":
        applied = idle = 0
        while idle < 20:  # another worker may still be holding cases: wait a little before stopping
            r = svc.work()
            applied += r.applied
            idle = idle + 1 if r.events == 0 else 0
            time.sleep(0.01 if r.events == 0 else a.pause)
        print(json.dumps({"applied": applied}))
    else:
        now = datetime.fromisoformat(a.now) if a.now else T0
        fired: list[str] = []
        while batch := svc.fire_timers(now, limit=3):
            fired += [f"{t.key}@{t.due.isoformat()}" for t in batch]
            time.sleep(a.pause)
        print(json.dumps({"fired": fired}))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
