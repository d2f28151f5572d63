"""Several worker processes against one store: the result of a serial run, whatever happens.

Each worker is a separate ``python -m tests.store.scenario`` process with its own engine and
connection, on SQLite (one file, WAL) and on PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from . import scenario
from .scenario import T0

ROOT = Path(__file__).resolve().parents[2]
N_CASES = 40


def _worker(url: str, mode: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.store.scenario", url, mode, *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def _finish(p: subprocess.Popen) -> dict:
    out, err = p.communicate(timeout=300)
    assert p.returncode == 0, err[-3000:]
    return json.loads(out.strip().splitlines()[-1])


def _start_together(procs: list[subprocess.Popen], tmp_path: Path, go: Path) -> None:
    deadline = time.time() + 120
    while len(list(tmp_path.glob("ready-*"))) < len(procs) and time.time() < deadline:
        time.sleep(0.02)
    go.touch()


def _serial(n: int) -> dict:
    ref = scenario.service("memory://")
    scenario.load(ref, n)
    ref.run_until_idle(now=T0)
    return scenario.snapshot(ref)


def test_n_workers_end_in_the_state_of_a_serial_run(store_url, tmp_path):
    svc = scenario.service(store_url, upgrade=True)
    scenario.load(svc, N_CASES)
    go = tmp_path / "go"
    procs = [
        _worker(
            store_url,
            "work",
            "--worker",
            f"w{i}",
            "--go",
            str(go),
            "--ready",
            str(tmp_path / f"ready-{i}"),
            "--pause",
            "0.02",
        )
        for i in range(3)
    ]
    _start_together(procs, tmp_path, go)
    applied = [_finish(p)["applied"] for p in procs]
    assert sum(1 for a in applied if a > 0) >= 2, applied  # the work was really shared
    got, want = scenario.snapshot(svc), _serial(N_CASES)
    assert got["counts"]["inbox"] == 0
    for key in ("cases", "records", "outbox", "timers", "failed", "counts"):
        assert got[key] == want[key], key


def test_a_worker_killed_mid_batch_loses_nothing_and_duplicates_nothing(store_url, tmp_path):
    svc = scenario.service(store_url, upgrade=True)
    scenario.load(svc, N_CASES)
    marker = tmp_path / "inside-a-transaction"
    p = _worker(store_url, "work", "--slow", "0.02", "--marker", str(marker))
    deadline = time.time() + 120
    while time.time() < deadline:  # wait for some committed batches and an open transaction
        if svc.store.counts()["processed_events"] >= 20 and marker.exists():
            marker.unlink()
            time.sleep(0.03)
            if marker.exists():  # it is applying an event of an uncommitted batch right now
                break
        time.sleep(0.01)
    p.send_signal(signal.SIGKILL)
    p.communicate(timeout=60)
    assert p.returncode == -signal.SIGKILL
    mid = svc.store.counts()
    assert 0 < mid["inbox"] and mid["processed_events"] > 0  # killed half way
    _finish(_worker(store_url, "work"))  # restarted
    got, want = scenario.snapshot(svc), _serial(N_CASES)
    for key in ("cases", "records", "outbox", "timers", "failed", "counts"):
        assert got[key] == want[key], key


def test_two_workers_never_fire_the_same_timer(store_url, tmp_path):
    svc = scenario.service(store_url, upgrade=True)
    scenario.load(svc, N_CASES)
    svc.run_until_idle(now=T0)
    now = T0 + timedelta(days=2)
    due = {f"{t.key}@{t.due.isoformat()}" for t in svc.store.timers() if t.due <= now}
    assert len(due) >= N_CASES
    go = tmp_path / "go"
    procs = [
        _worker(
            store_url,
            "timers",
            "--now",
            now.isoformat(),
            "--worker",
            f"t{i}",
            "--go",
            str(go),
            "--ready",
            str(tmp_path / f"ready-{i}"),
            "--pause",
            "0.01",
        )
        for i in range(2)
    ]
    _start_together(procs, tmp_path, go)
    a, b = (set(_finish(p)["fired"]) for p in procs)
    assert a and b and not a & b  # both fired some, never the same one
    assert a | b == due
    assert svc.store.counts()["fired_timers"] == len(due)
    assert svc.store.counts()["inbox"] == len(due)  # each fired timer queued its event once
