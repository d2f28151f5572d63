"""Outbox effects leave after the commit, at least once; a refund is paid once (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

from caseflow import WorkflowEvent
from caseflow.testing import make_case

from .scenario import AGENT, INTAKE, T0, _svc


def test_outbox_effects_leave_after_commit_at_least_once_and_a_refund_is_paid_once(store_url):
    svc = _svc(store_url)
    case = make_case(id="CS-R1", created_at=T0.isoformat())  # a small refund of a trusted buyer: approved at opening
    out = svc.open(case, actor=INTAKE, at=case.created_at)
    assert out.case.states["refund_only"] == "approved"
    ledger: dict[str, str] = {}  # the payment system: pays a key once
    calls: list[str] = []

    def pay_then_crash(msg):
        calls.append(msg.key)
        if msg.kind == "refund.pay":
            ledger.setdefault(msg.key, msg.payload["amount"])
        raise ConnectionError("payment API timed out after paying")  # the relay cannot know it was paid

    assert svc.relay(pay_then_crash) == 0
    pending = svc.store.outbox(pending=True)
    assert [m.kind for m in pending] == ["refund.pay"] and pending[0].attempts == 1
    assert "timed out" in pending[0].last_error

    def pay(msg):
        calls.append(msg.key)
        if msg.kind == "refund.pay":
            ledger.setdefault(msg.key, msg.payload["amount"])  # a repeat of the key is dropped

    assert svc.relay(pay) == 1 and svc.relay(pay) == 0
    assert calls == [f"refund:{case.id}:{case.orders[0].id}"] * 2  # delivered twice ...
    assert ledger == {f"refund:{case.id}:{case.orders[0].id}": str(case.requested_amount.amount)}  # ... paid once
    # the same event redelivered, and the policies approving again later, add no second refund
    ev = WorkflowEvent(id="t1", trigger="triage", actor=AGENT, at=case.created_at + timedelta(minutes=1))
    svc.submit(case.id, ev)
    svc.run_until_idle(now=T0)
    svc.submit(case.id, ev)  # redelivered after it was applied
    svc.handle(case.id, WorkflowEvent(id="eval-2", trigger="evaluate", actor=INTAKE, at=ev.at))
    svc.run_until_idle(now=T0)
    assert [m.key for m in svc.store.outbox() if m.kind == "refund.pay"] == [f"refund:{case.id}:{case.orders[0].id}"]
    assert svc.store.get_case(case.id).applied_events.count("t1") == 1
