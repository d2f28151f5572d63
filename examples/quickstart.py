"""Quick start: load the default policy pack, evaluate a refund case, explain the decision,
then run the case through its workflows in a durable store (SQLite, no server needed), and see
an SLA breach that fell due while the workers were down noticed when they come back.

Run from the repository root:  python examples/quickstart.py
On PostgreSQL instead:          python examples/quickstart.py --store postgresql://USER@HOST:5432/DB
(or set CASEFLOW_STORE_URL; the schema is created on first use).
"""

import argparse
import json
import os
import tempfile
from pathlib import Path

from caseflow import Actor, Engine, FixedClock, WorkflowEvent, Workflows, load_policies, parse_case
from caseflow.sla import SlaTracker, load_calendars
from caseflow.store import CaseService, open_store
from caseflow.testing import make_case

RULES = Path(__file__).resolve().parent.parent / "rules"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--store",
        default=os.environ.get("CASEFLOW_STORE_URL"),
        help="store URL (default: a new SQLite file in a temporary folder)",
    )
    store_url = ap.parse_args(argv).store
    policies = load_policies(RULES)
    # Time comes from an injected clock: this run is the same on every machine, every day.
    clock = FixedClock("2026-11-11T10:00:00+08:00")
    engine = Engine(policies, clock=clock)  # the python backend; backend="durable" runs durable-rules

    case = parse_case(
        {
            "id": "CS-20261111-0001",
            "tenant": "tmall-shop-42",
            "channel": "chat",
            "case_type": "return_and_refund",
            "created_at": "2026-11-11T09:40:00+08:00",
            "buyer": {
                "id": "buyer-7",
                "region": "CN",
                "language": "zh-CN",
                "history": {"orders_total": 23, "refunds_90d": 1},
            },
            "orders": [
                {
                    "id": "TB-88001",
                    "amount": "159.00 CNY",
                    "placed_at": "2026-11-01T20:15:00+08:00",
                    "shipped_at": "2026-11-02T09:00:00+08:00",
                    "delivered_at": "2026-11-06T14:30:00+08:00",
                    "items": [{"sku": "JACKET-M-NAVY", "category": "apparel", "unit_price": "159.00 CNY"}],
                }
            ],
            "request": {"kind": "return_and_refund", "amount": "159.00 CNY", "reason": "changed_mind"},
            "messages": [
                {
                    "author": "buyer",
                    "language": "zh-CN",
                    "at": "2026-11-11T09:40:00+08:00",
                    "text": "尺码不合适，想七天无理由退货",
                }
            ],
        }
    )

    decision = engine.evaluate(case)
    print(decision.summary())
    print()
    print(decision.explain().render(only_matched=True))

    # The same case through its workflows, kept in a store: state, audit trail and side effects
    # (a refund to pay) are committed together; the refund leaves through the outbox.
    with tempfile.TemporaryDirectory() as tmp:
        url = store_url or f"sqlite:///{tmp}/caseflow-demo.db"
        with open_store(url, upgrade=True, clock=clock) as store:
            service = CaseService(store, Workflows(engine=engine), clock=clock)
            service.open(case, actor=Actor(id="intake-bot", role="system"))
            seller, buyer = Actor(id="seller-42", role="seller"), Actor(id="buyer-7", role="buyer")
            for eid, trigger, actor, data in [
                ("label-1", "send_return_label", seller, {}),
                ("ship-1", "buyer_shipped", buyer, {"tracking_number": "SF1234567890"}),
                ("recv-1", "return_delivered", seller, {}),  # the return arrived: the refund is due
            ]:
                out = service.handle(
                    case.id, WorkflowEvent(id=eid, trigger=trigger, actor=actor, at=clock.now(), data=data)
                )
            print(f"\nstored in {store.dialect}: {case.id} version {out.case.version}, states {out.case.states}")
            for r in store.records(case.id):
                move = (
                    f"{r.workflow}: {r.from_state} -> {r.to_state}" if r.kind == "transition" else ", ".join(r.rule_ids)
                )
                print(f"  audit v{r.version}.{r.seq} {r.kind:<10} {r.actor_id:<11} {move}")
            for m in store.outbox():
                if m.case_id == case.id:
                    state = "delivered" if m.delivered_at else "pending"
                    print(
                        f"  outbox ({state}): {m.kind} {json.dumps(m.payload, ensure_ascii=False, sort_keys=True)}\n"
                        f"    idempotency key {m.key}"
                    )
            paid = service.relay(lambda msg: None)  # hand it to the payment system: at least once, after commit
            print(f"  relayed {paid} message(s) after commit")
            downtime(store, clock)


def downtime(store, clock: FixedClock) -> None:  # noqa: ANN001 - a caseflow Store
    """Deadlines are never lost: a chat case comes in at 10:00 and the workers go down for three days.
    When they are back, every SLA mark that fell due fires once, in due order, at its due time, and
    the store notes when it was noticed."""
    sla = Engine(load_policies([RULES, RULES / "sla"]), clock=clock)
    tracker = SlaTracker(sla, load_calendars(RULES / "sla" / "sla.calendars.yaml"))
    service = CaseService(store, Workflows(engine=sla), tracker=tracker, clock=clock)
    chat = make_case(
        id="CS-20261111-0002", channel="chat", case_type="inquiry", request=None, created_at=clock.now().isoformat()
    )
    service.open(chat, actor=Actor(id="intake-bot", role="system"))
    down, tz = clock.now(), clock.now().tzinfo
    clock.advance(days=3)
    service.run_until_idle()  # what a worker does when it starts again
    print(f"\nworkers down from {down:%d %b %H:%M} to {clock.now():%d %b %H:%M}; on return:")
    for m in store.marks():
        if m.case_id == chat.id and ":first_response:" in m.mark_id:
            mark = ":".join(m.mark_id.rsplit(":", 2)[-2:])
            print(
                f"  first_response {mark:<10} due {m.due.astimezone(tz):%d %b %H:%M}, "
                f"noticed {m.noticed_at.astimezone(tz):%d %b %H:%M}"
            )
    stored = store.get_case(chat.id)
    print(f"  {chat.id}: SLA breaches {stored.sla_breaches}, tags {stored.tags}")


if __name__ == "__main__":
    main()
