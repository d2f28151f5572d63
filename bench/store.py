"""Events handled and committed per second by the durable store, on SQLite and PostgreSQL,
with 1, 2 and 4 worker processes, beside a bare INSERT-per-event baseline in the same run.

    python bench/store.py [--cases 1500] [--pg postgresql://postgres@127.0.0.1:5432/test]

The workload: generated cases (``caseflow.tools.generate``), each opened and then moved through
six tier-1 events (two of which evaluate the policies), all queued in the inbox first; the
clock starts when every worker process is ready, and stops at the last event committed. An
event is "handled and committed" when its case, audit records, outbox messages, next SLA
timers and event id are in the database (``CaseService.work``: one transaction per batch
of cases). The baseline writes each event as one row in its own transaction, nothing else.
Without ``--pg`` (or ``CASEFLOW_BENCH_POSTGRES_URL``) only SQLite is measured.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
T0 = datetime(2026, 11, 11, 2, 0, tzinfo=UTC)
FLOW = [
    ("triage", "tier1_agent"),
    ("start_work", "tier1_agent"),
    ("ask_customer", "tier1_agent"),
    ("customer_replied", "buyer"),
    ("ask_internal", "tier1_agent"),
    ("internal_replied", "tier1_agent"),
]
# a case the policies escalate at opening is worked in tier 2 instead
FLOW_TIER2 = [
    ("investigate", "tier2_specialist"),
    ("ask_party", "tier2_specialist"),
    ("party_replied", "buyer"),
    ("ask_party", "tier2_specialist"),
    ("party_replied", "buyer"),
    ("propose_resolution", "tier2_specialist"),
]
FLOW_AUTHORITY = [("authority_concluded", "tier2_specialist")]


# -- the workload ------------------------------------------------------------------------
def workload(n: int, workflows):
    """Generated cases and, for each, the six events its workflow state allows after opening."""
    from caseflow import Actor, WorkflowEvent, parse_case
    from caseflow.tools.generate import generate_cases

    cases = [parse_case(d) for d in generate_cases(n, seed=11, now=T0)]
    intake = Actor(id="intake", role="system")
    flows = {}
    for c in cases:  # where the policies put the case at opening decides its events (not timed)
        states = workflows.open(c, actor=intake, at=c.created_at).case.states
        flows[c.id] = (
            FLOW if states["tier1"] == "new" else (FLOW_TIER2 if states.get("tier2") == "escalated" else FLOW_AUTHORITY)
        )
    events = []
    for k in range(len(FLOW)):
        for c in cases:  # interleaved across cases, as they arrive
            if k < len(flows[c.id]):
                trigger, role = flows[c.id][k]
                events.append(
                    (
                        c.id,
                        WorkflowEvent(
                            id=f"{c.id}:{k}",
                            trigger=trigger,
                            actor=Actor(id=f"{role}-1", role=role),
                            at=c.created_at + timedelta(minutes=5 * (k + 1)),
                        ),
                    )
                )
    return cases, events


def service(url: str, worker: str, upgrade: bool = False):
    from caseflow import Actor, Engine, FixedClock, Workflows, load_policies
    from caseflow.sla import SlaTracker, load_calendars
    from caseflow.store import CaseService, open_store

    clock = FixedClock(T0)
    engine = Engine(load_policies([RULES, RULES / "sla"]), clock=clock, backend="python")
    tracker = SlaTracker(engine, load_calendars(RULES / "sla" / "sla.calendars.yaml"))
    store = open_store(url, upgrade=upgrade, clock=clock)
    return CaseService(store, Workflows(engine=engine), tracker=tracker, clock=clock, worker_id=worker), Actor


# -- child processes ----------------------------------------------------------------------
def child(args: argparse.Namespace) -> None:
    import logging

    import structlog

    # the app's choice: warnings only (caseflow never configures logging itself)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    if args.mode == "caseflow":
        svc, _ = service(args.url, args.worker)
        Path(args.ready).touch()
        while not Path(args.go).exists():
            time.sleep(0.001)
        applied, failed, last, idle = 0, 0, time.time(), 0
        while idle < 30:
            r = svc.work()
            if r.events:
                applied += r.applied + r.failed + r.duplicates
                failed += r.failed
                last = time.time()
                idle = 0
            else:
                idle += 1
                time.sleep(0.005)
        print(json.dumps({"events": applied, "failed": failed, "end": last}))
        return
    # baseline: one row per event, one transaction per row
    rows = [(f"{args.worker}-{i}", f"case-{i % 997}", '{"event": {"trigger": "triage"}}') for i in range(args.n)]
    if args.url.startswith("sqlite"):
        conn = sqlite3.connect(args.url[len("sqlite:///") :], isolation_level=None, timeout=60)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        sql = "INSERT INTO bench_events (event_id, case_id, body) VALUES (?, ?, ?)"

        def insert(row):
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(sql, row)
            conn.execute("COMMIT")
    else:
        import psycopg

        conn = psycopg.connect(args.url, autocommit=True)
        sql = "INSERT INTO bench_events (event_id, case_id, body) VALUES (%s, %s, %s)"

        def insert(row):
            conn.execute(sql, row)  # autocommit: one transaction per row

    Path(args.ready).touch()
    while not Path(args.go).exists():
        time.sleep(0.001)
    for row in rows:
        insert(row)
    print(json.dumps({"events": len(rows), "end": time.time()}))


# -- the parent ---------------------------------------------------------------------------
def run_processes(url: str, mode: str, workers: int, per_worker: int, tmp: Path) -> tuple[int, float]:
    tag = uuid.uuid4().hex[:8]
    go = tmp / f"go-{tag}"
    procs = []
    for i in range(workers):
        cmd = [
            sys.executable,
            __file__,
            "--child",
            mode,
            "--url",
            url,
            "--worker",
            f"w{i}-{tag}",
            "--n",
            str(per_worker),
            "--ready",
            str(tmp / f"ready-{tag}-{i}"),
            "--go",
            str(go),
        ]
        # output to files, not pipes: a child blocked on a full pipe would stall the others
        out, err = open(tmp / f"out-{tag}-{i}", "w+"), open(tmp / f"err-{tag}-{i}", "w+")  # noqa: SIM115
        procs.append(
            (
                subprocess.Popen(
                    cmd, stdout=out, stderr=err, text=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")}
                ),
                out,
                err,
            )
        )
    while len(list(tmp.glob(f"ready-{tag}-*"))) < workers:
        for p, _, err in procs:
            if p.poll() not in (None, 0):
                err.seek(0)
                raise SystemExit(err.read()[-3000:])
        time.sleep(0.01)
    start = time.time()
    go.touch()
    total, end = 0, start
    for p, out, err in procs:
        p.wait(timeout=1800)
        out.seek(0)
        err.seek(0)
        if p.returncode != 0:
            raise SystemExit(err.read()[-3000:])
        r = json.loads(out.read().strip().splitlines()[-1])
        total += r["events"]
        end = max(end, r["end"])
        out.close()
        err.close()
    return total, end - start


class Target:
    """A fresh database per measurement: a SQLite file, or a PostgreSQL schema."""

    def __init__(self, kind: str, tmp: Path, pg: str | None) -> None:
        self.kind, self.tmp, self.pg = kind, tmp, pg

    def new(self) -> str:
        name = uuid.uuid4().hex[:10]
        if self.kind == "sqlite":
            return f"sqlite:///{self.tmp}/{name}.db"
        import psycopg

        with psycopg.connect(self.pg, autocommit=True) as c:
            c.execute(f"CREATE SCHEMA bench_{name}")
        sep = "&" if "?" in self.pg else "?"
        return f"{self.pg}{sep}options={quote(f'-csearch_path=bench_{name}')}"

    def drop_all(self) -> None:
        if self.kind == "postgresql":
            import psycopg

            with psycopg.connect(self.pg, autocommit=True) as c:
                for (s,) in c.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'bench\\_%'").fetchall():
                    c.execute(f"DROP SCHEMA {s} CASCADE")


def measure(target: Target, workers: int, n_cases: int, tmp: Path) -> dict:
    # caseflow: everything queued first (not timed), then the workers drain the inbox
    url = target.new()
    svc, Actor = service(url, "loader", upgrade=True)
    cases, events = workload(n_cases, svc.workflows)
    intake = Actor(id="intake", role="system")
    for c in cases:
        svc.submit_open(c, actor=intake, at=c.created_at)
    svc.submit_many(events)
    queued = svc.store.counts()["inbox"]
    svc.store.close()
    n, secs = run_processes(url, "caseflow", workers, 0, tmp)
    assert n == queued, (n, queued)
    # the baseline: the same number of events, a bare INSERT each
    burl = target.new()
    if target.kind == "sqlite":
        conn = sqlite3.connect(burl[len("sqlite:///") :])
        conn.execute("PRAGMA journal_mode=WAL")
    else:
        import psycopg

        conn = psycopg.connect(burl, autocommit=True)
    conn.execute(
        "CREATE TABLE bench_events (id INTEGER PRIMARY KEY"
        + (" AUTOINCREMENT" if target.kind == "sqlite" else " GENERATED ALWAYS AS IDENTITY")
        + ", event_id TEXT NOT NULL UNIQUE, case_id TEXT NOT NULL, body TEXT NOT NULL)"
    )
    if target.kind == "sqlite":
        conn.commit()
    conn.close()
    bn, bsecs = run_processes(burl, "baseline", workers, queued // workers, tmp)
    return {
        "store": target.kind,
        "workers": workers,
        "events": n,
        "seconds": secs,
        "rate": n / secs,
        "baseline_rate": bn / bsecs,
    }


def in_memory(n_cases: int) -> float:
    """The same work with no store: open and handle every event, compute each case's SLA timers."""
    svc, Actor = service("memory://", "reference")
    flows, tracker = svc.workflows, svc.tracker
    cases, events = workload(n_cases, flows)
    by_case: dict[str, list] = {}
    for cid, ev in events:
        by_case.setdefault(cid, []).append(ev)
    intake = Actor(id="intake", role="system")
    n, t = 0, time.perf_counter()
    for c in cases:
        out = flows.open(c, actor=intake, at=c.created_at)
        case, records = out.case, list(out.records)
        tracker.prime(out.records[0], out.decisions[0])
        n += 1
        for ev in by_case.get(c.id, []):
            out = flows.handle(case, ev)
            case = out.case
            records += out.records
            n += 1
        tracker.timers(case, records, case.updated_at)
    return n / (time.perf_counter() - t)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=1500, help="cases (each: an opening and six events)")
    ap.add_argument("--pg", default=os.environ.get("CASEFLOW_BENCH_POSTGRES_URL"), help="PostgreSQL URL")
    ap.add_argument("--workers", default="1,2,4")
    ap.add_argument("--child")
    ap.add_argument("--url")
    ap.add_argument("--worker")
    ap.add_argument("--n", type=int, default=0)
    ap.add_argument("--ready")
    ap.add_argument("--go")
    args = ap.parse_args()
    if args.child:
        args.mode = args.child
        child(args)
        return
    workers = [int(w) for w in args.workers.split(",")]
    kinds = ["sqlite"] + (["postgresql"] if args.pg else [])
    print(
        f"caseflow store: {args.cases:,} cases x (opening + {len(FLOW)} events) = {args.cases * (1 + len(FLOW)):,} "
        f"events per run; python backend, SLA timers on; {os.cpu_count()} CPUs"
    )
    ref = in_memory(args.cases)
    print(f"reference: the same workflows, policies and SLA timers in memory, no store: {ref:,.0f} events/s")
    print(
        f"{'store':<11} {'workers':>7} {'events/s':>10} {'vs memory':>10} {'bare INSERT/s':>14} {'ratio':>7} "
        f"{'vs 1 worker':>12}"
    )
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        for kind in kinds:
            target = Target(kind, tmp, args.pg)
            one = None
            try:
                for w in workers:
                    r = measure(target, w, args.cases, tmp)
                    one = one or r["rate"]
                    print(
                        f"{kind:<11} {w:>7} {r['rate']:>10,.0f} {r['rate'] / ref:>9.2f}x {r['baseline_rate']:>14,.0f} "
                        f"{r['rate'] / r['baseline_rate']:>6.2f}x {r['rate'] / one:>11.2f}x",
                        flush=True,
                    )
                    target.drop_all()
            finally:
                target.drop_all()
    if not args.pg:
        print("(PostgreSQL not measured: pass --pg URL or set CASEFLOW_BENCH_POSTGRES_URL)")


if __name__ == "__main__":
    main()
