"""The PostgreSQL store survives its database: a restart in the middle of a batch of work loses and
duplicates nothing (the real server, restarted for real)."""

from __future__ import annotations

import os
import shlex
import subprocess
import time

import pytest

from tests.store import scenario

from .test_service import N_CASES, _finish, _serial, _worker

RESTART = "CASEFLOW_TEST_PG_RESTART"


def test_a_postgresql_restart_in_the_middle_of_a_batch_loses_and_duplicates_nothing(pg_url, tmp_path):
    command = os.environ.get(RESTART)
    if not command:
        pytest.skip(f"restarting the server needs {RESTART}, the command that restarts it (.ci/run sets it)")
    svc = scenario.service(pg_url, upgrade=True)
    scenario.load(svc, N_CASES)
    marker = tmp_path / "working"
    worker = _worker(pg_url, "work", "--slow", "0.02", "--marker", str(marker))
    deadline = time.time() + 60
    while not marker.exists() and time.time() < deadline:  # the worker is inside a batch's transaction
        time.sleep(0.01)
    assert marker.exists()
    subprocess.run(shlex.split(command), check=True, timeout=120)  # the server goes down and comes back
    _finish(worker)  # it reconnected and finished the work
    got, want = scenario.snapshot(svc), _serial(N_CASES)  # this process's store reconnects too
    for key in ("cases", "records", "outbox", "timers", "failed", "counts"):
        assert got[key] == want[key], key


def test_a_store_whose_server_is_down_says_so_in_one_line():
    from caseflow.errors import StoreError
    from caseflow.store import open_store

    with pytest.raises(StoreError) as e:  # nothing listens on this port
        open_store("postgresql://caseflow:s3cret@127.0.0.1:1/none?connect_timeout=1")
    assert e.value.code == "store-open" and "s3cret" not in str(e.value) and "\n" not in str(e.value)
