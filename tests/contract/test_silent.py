"""Silent by default: importing and using caseflow writes nothing to stdout or stderr unless the host
configures logging (docs: caseflow.logging)."""

from __future__ import annotations

import subprocess
import sys

from ..helpers import ROOT

# the examples' API calls: load the pack, evaluate a case, keep cases in a store with SLA timers,
# an event that fails (logged as a warning), an outbox delivery that fails (logged), the weekly report
SCRIPT = """
from datetime import datetime, timedelta, timezone
from caseflow import Actor, CaseService, Engine, FixedClock, WorkflowEvent, Workflows, load_policies, open_store
from caseflow.sla import SlaTracker, load_calendars
from caseflow.testing import make_case
from caseflow.tools.report import build_report

t0 = datetime(2026, 11, 11, 2, 0, tzinfo=timezone.utc)
clock = FixedClock(t0)
engine = Engine(load_policies(["rules", "rules/sla"]), clock=clock)
print_nothing = engine.evaluate(make_case()).explain().render()
tracker = SlaTracker(engine, load_calendars("rules/sla/sla.calendars.yaml"))
svc = CaseService(open_store("memory://"), Workflows(engine=engine), tracker=tracker, clock=clock)
for i in range(5):
    svc.open(make_case(id=f"C-{i}", created_at=t0.isoformat()), actor=Actor(id="intake", role="system"), at=t0)
agent = Actor(id="a", role="tier1_agent")
svc.submit("C-0", WorkflowEvent(id="bad", trigger="resolve", actor=agent, at=t0))  # refused: logged
svc.run_until_idle(now=t0 + timedelta(days=3))
def fail(message):
    raise RuntimeError("the payment service is down")
svc.relay(fail)  # a failed delivery: logged
build_report(svc.store.cases(), svc.store.outbox(), period="weekly").table()
"""


def test_using_caseflow_prints_nothing_unless_the_host_configures_logging():
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=180, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert (out.stdout, out.stderr) == ("", "")


def test_the_same_calls_log_through_the_hosts_logging_once_it_is_configured():
    script = "import logging; logging.basicConfig(level='INFO')\n" + SCRIPT
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=180, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert "WARNING:caseflow:event.failed" in out.stderr and "outbox.delivery_failed" in out.stderr
