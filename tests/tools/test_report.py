"""caseflow report: per-period figures, as a table, CSV, JSON and an SVG chart."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from caseflow.errors import CaseflowError
from caseflow.store import OutboxMessage
from caseflow.tools.report import build_report

from .helpers import MON, _case


def _refund(case_id: str, amount: str, currency: str, at: datetime, n: int) -> OutboxMessage:
    return OutboxMessage(
        id=n,
        key=f"refund:{case_id}:o",
        kind="refund.pay",
        case_id=case_id,
        event_id="e",
        payload={"amount": amount, "currency": currency},
        created_at=at,
    )


def test_figures_per_week_day_and_month():
    cases = [
        _case(
            1,
            MON,
            case_type="wrong_item",
            request={"kind": "refund_only", "amount": "50 CNY", "reason": "wrong_item"},
            attributes={"warehouse": "WH-1"},
            root_cause="picking_error",
            orders=[_order("SKU-A")],
        ),
        _case(
            2,
            MON + timedelta(days=1),
            channel="email",
            sla_breaches={"first_response": 1},
            tier=2,
            states={"tier1": "handed_to_tier2", "tier2": "escalated"},
            request={"kind": "refund_only", "amount": "20 CNY", "reason": "damaged"},
            orders=[_order("SKU-A")],
        ),
        _case(
            3,
            MON + timedelta(days=7),
            sla_breaches={"seller_response": 1},  # a deadline, not a service breach
            request={"kind": "refund_only", "amount": "20 CNY", "reason": "changed_mind"},
        ),
        _case(
            4,
            MON + timedelta(days=8),
            case_type="wrong_item",
            attributes={"warehouse": "WH-1"},
            request={"kind": "refund_only", "amount": "20 CNY", "reason": "wrong_item"},
            orders=[_order("SKU-B")],
        ),
    ]
    outbox = [
        _refund("R-1", "50.00", "CNY", MON, 1),
        _refund("R-2", "20.00", "CNY", MON + timedelta(days=1), 2),
        _refund("R-3", "300000", "IDR", MON + timedelta(days=7), 3),
        _refund("NOT-IN-RANGE", "1", "CNY", MON, 4),
    ]
    weekly = build_report(cases, outbox, period="weekly")
    assert [p.period for p in weekly.periods] == ["2026-W45", "2026-W46"]
    w45, w46 = weekly.periods
    assert (w45.cases, w45.escalated, w45.breached, dict(w45.breaches)) == (2, 1, 1, {"first_response": 1})
    assert w45.sla_compliance == 0.5 and w45.escalation_rate == 0.5
    assert w45.refunds == {"CNY": [2, Decimal("70.00")]}  # the case outside the report is not counted
    assert w46.sla_compliance == 1.0 and dict(w46.deadlines) == {"seller_response": 1}
    assert w46.refunds == {"IDR": [1, Decimal("300000")]}
    assert dict(w45.by_channel) == {"chat": 1, "email": 1} and w45.by_type["wrong_item"] == 1
    assert weekly.repeat_skus == [{"sku": "SKU-A", "cases": 2, "examples": ["R-1", "R-2"]}]
    assert weekly.misshipments == {"WH-1": {"picking_error": 1, "open (no root cause yet)": 1}}
    assert [p.period for p in build_report(cases, period="daily").periods] == [
        "2026-11-02",
        "2026-11-03",
        "2026-11-09",
        "2026-11-10",
    ]
    assert [p.cases for p in build_report(cases, period="monthly").periods] == [4]
    # periods follow the report's time zone: 23:30 UTC on Sunday is Monday in Shanghai
    late = [_case(9, datetime(2026, 11, 8, 23, 30, tzinfo=UTC))]
    assert build_report(late, period="daily", tz="Asia/Shanghai").periods[0].period == "2026-11-09"
    assert build_report(late, period="weekly").periods[0].period == "2026-W45"
    assert build_report(late, period="weekly", tz="Asia/Shanghai").periods[0].period == "2026-W46"
    # filters
    assert build_report(cases, since=MON + timedelta(days=7)).periods[0].cases == 2
    assert build_report(cases, tenant="nobody").periods == []


def _order(sku: str) -> dict:
    return {
        "id": f"o-{sku}",
        "amount": "50 CNY",
        "placed_at": "2026-10-20T10:00:00+00:00",
        "items": [{"sku": sku, "category": "apparel"}],
    }


def test_outputs_agree_with_each_other():
    cases = [_case(i, MON + timedelta(days=i), sla_breaches={"resolution": 1} if i % 2 else {}) for i in range(10)]
    r = build_report(cases, period="weekly")
    data = json.loads(r.json())
    assert [p["cases"] for p in data["periods"]] == [7, 3]  # Monday to Sunday, then three days
    rows = list(csv.DictReader(io.StringIO(r.csv())))
    assert {(x["period"], x["value"]) for x in rows if x["measure"] == "cases"} == {
        ("2026-W45", "7"),
        ("2026-W46", "3"),
    }
    assert [p["sla_compliance"] for p in data["periods"]] == [0.5714, 0.3333]  # 3 of 7 and 2 of 3 breached
    assert "2026-W45" in r.table() and "57.1%" in r.table() and "33.3%" in r.table()
    svg = ET.fromstring(r.svg())
    assert svg.tag.endswith("svg")
    bars = [e for e in svg.iter() if e.tag.endswith("rect") and e.find("{http://www.w3.org/2000/svg}title") is not None]
    assert [b.find("{http://www.w3.org/2000/svg}title").text for b in bars] == [
        "2026-W45: 7 cases",
        "2026-W46: 3 cases",
    ]


def test_bad_period_or_time_zone_is_a_clear_error():
    with pytest.raises(CaseflowError, match="unknown time zone 'Mars/Olympus'"):
        build_report([], tz="Mars/Olympus")
    with pytest.raises(CaseflowError, match="unknown period"):
        build_report([], period="hourly")  # type: ignore[arg-type]
    with pytest.raises(CaseflowError, match="takes Case objects, not dict") as e:
        build_report([{"id": "c1"}])  # type: ignore[list-item]
    assert e.value.code == "report-bad-case"
    with pytest.raises(ValueError, match=r"build_report\(since=...\) 2026-11-01T00:00:00 has no time zone"):
        build_report([], since=datetime(2026, 11, 1))
