"""Cases the report tests share."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta

from caseflow.model.case import Case
from caseflow.store import OutboxMessage
from caseflow.testing import make_case

MON = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday (ISO week 45)


def _case(i: int, at: datetime, **kw) -> Case:
    base = {"id": f"R-{i}", "created_at": at.isoformat(), "channel": "chat"}
    base.update(kw)
    return make_case(**base)


def refund(case_id: str, amount: str, currency: str, at: datetime, n: int) -> OutboxMessage:
    """A refund paid through the outbox for case ``case_id``."""
    return OutboxMessage(
        id=n,
        key=f"refund:{case_id}:{n}",
        kind="refund.pay",
        case_id=case_id,
        event_id="e",
        payload={"amount": amount, "currency": currency},
        created_at=at,
    )


def busy_fortnight() -> tuple[list[Case], list[OutboxMessage]]:
    """Two weeks (2026-W45, W46) with every figure a report shows: three channels, SLA breaches
    and a passed deadline, escalations, refunds in two currencies, a repeat-complaint SKU and
    mis-shipments."""
    order = {"id": "o-1", "amount": "50 CNY", "placed_at": "2026-10-20T10:00:00+00:00"}
    cases = [
        _case(
            i,
            MON + timedelta(days=i, hours=i % 5),
            channel=("chat", "email", "phone")[i % 3],
            sla_breaches={"first_response": 1} if i % 4 == 0 else ({"seller_response": 1} if i == 5 else {}),
            sla_warnings={"resolution": 80} if i % 4 == 1 else {},
            tier=2 if i % 5 == 0 else 1,
            case_type="wrong_item" if i % 6 == 0 else "refund_only",
            request={"kind": "refund_only", "amount": "20 CNY", "reason": "wrong_item" if i % 6 == 0 else "damaged"},
            attributes={"warehouse": f"WH-{i % 2 + 1}"},
            root_cause="picking_error" if i == 0 else None,
            orders=[{**order, "items": [{"sku": "SKU-A" if i % 3 == 0 else f"SKU-{i}", "category": "apparel"}]}],
        )
        for i in range(12)
    ]
    outbox = [
        refund("R-1", "50.00", "CNY", MON, 1),
        refund("R-2", "20.00", "CNY", MON + timedelta(days=1), 2),
        refund("R-8", "300000", "IDR", MON + timedelta(days=8), 3),
        refund("R-9", "20.00", "CNY", MON + timedelta(days=9), 4),
    ]
    return cases, outbox


def chromium() -> str | None:
    """The headless browser the page tests open the HTML report in (Debian's ``chromium``)."""
    return shutil.which("chromium") or shutil.which("chromium-browser")
