"""Cases the report tests share."""

from __future__ import annotations

from datetime import UTC, datetime

from caseflow.testing import make_case

MON = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday (ISO week 45)


def _case(i: int, at: datetime, **kw):
    base = {"id": f"R-{i}", "created_at": at.isoformat(), "channel": "chat"}
    base.update(kw)
    return make_case(**base)
