"""Reports for tier-2 leads: what the cases in a store did, by day, week or month.

::

    report = build_report(store.cases(), store.outbox(), period="weekly", tz="Asia/Shanghai")
    print(report.table())          # or report.csv(), report.to_dict(), report.svg()

Per period (cases by the time they were opened, in the report's time zone): volume by case
type and channel; SLA compliance (the share of cases with no breach of a service metric -
first response, next response, periodic update, resolution - and breaches per metric; the
platform deadlines that passed are counted apart); the escalation rate (cases that reached tier 2); refunds paid through
the outbox (count and amount per currency, by the time they were decided); the top reasons.
Over the whole range: SKUs that come back in complaint after complaint, and mis-shipments by
warehouse (the case's ``attributes["warehouse"]``) and cause (its ``root_cause``, set when
the case is resolved). The report reads plain data and changes nothing.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Literal, TypedDict
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import JsonValue

from ..clock import ensure_aware
from ..errors import CaseflowError
from ..model.case import Case
from ..store.effects import OutboxMessage

__all__ = [
    "COMPLAINT_REASONS",
    "SERVICE_METRICS",
    "PeriodStats",
    "RepeatSku",
    "Report",
    "build_report",
    "timezone",
]

Period = Literal["daily", "weekly", "monthly"]
COMPLAINT_REASONS = frozenset({"damaged", "defective", "not_as_described", "wrong_item", "counterfeit"})
# the service levels owed to customers; platform deadlines (seller_response, close_after_silence,
# buyer_return_shipment ...) are rules of the process, not promises, and are reported apart
SERVICE_METRICS = frozenset({"first_response", "next_response", "periodic_update", "resolution", "platform_response"})
_COMPLAINT_TYPES = frozenset({"damaged_or_defective", "not_as_described", "wrong_item"})


@dataclass
class PeriodStats:
    period: str
    cases: int = 0
    by_type: Counter[str] = field(default_factory=Counter)
    by_channel: Counter[str] = field(default_factory=Counter)
    breached: int = 0  # cases with at least one breach of a service metric
    breaches: Counter[str] = field(default_factory=Counter)  # service metric -> cases breached
    deadlines: Counter[str] = field(default_factory=Counter)  # platform deadline -> cases where it passed
    escalated: int = 0
    refunds: dict[str, list[int | Decimal]] = field(default_factory=dict)  # currency -> [count, amount]
    reasons: Counter[str] = field(default_factory=Counter)

    @property
    def sla_compliance(self) -> float | None:
        return None if not self.cases else 1 - self.breached / self.cases

    @property
    def escalation_rate(self) -> float | None:
        return None if not self.cases else self.escalated / self.cases

    def to_dict(self) -> dict[str, JsonValue]:
        return {
            "period": self.period,
            "cases": self.cases,
            "by_type": dict(self.by_type.most_common()),
            "by_channel": dict(self.by_channel.most_common()),
            "sla_compliance": _round(self.sla_compliance),
            "sla_breaches": dict(self.breaches.most_common()),
            "deadlines_passed": dict(self.deadlines.most_common()),
            "escalated": self.escalated,
            "escalation_rate": _round(self.escalation_rate),
            "refunds": {c: {"count": int(n), "amount": str(a)} for c, (n, a) in sorted(self.refunds.items())},
            "top_reasons": dict(self.reasons.most_common(5)),
        }


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


class RepeatSku(TypedDict):
    """A SKU that came back in two or more complaint cases."""

    sku: str
    cases: int
    examples: list[str]  # up to three case ids


@dataclass
class Report:
    period: Period
    timezone: str
    periods: list[PeriodStats]
    repeat_skus: list[RepeatSku]
    misshipments: dict[str, dict[str, int]]  # warehouse -> cause -> cases

    # -- output ------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, JsonValue]:
        return {
            "period": self.period,
            "timezone": self.timezone,
            "periods": [p.to_dict() for p in self.periods],
            "repeat_complaint_skus": [
                {"sku": s["sku"], "cases": s["cases"], "examples": list(s["examples"])} for s in self.repeat_skus
            ],
            "misshipments_by_warehouse": {wh: dict(causes) for wh, causes in self.misshipments.items()},
        }

    def json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    def csv(self) -> str:
        """Long form: one row per (period, measure, key) - easy to pivot in a spreadsheet."""
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["period", "measure", "key", "value"])
        for p in self.periods:
            w.writerow([p.period, "cases", "", p.cases])
            for k, v in sorted(p.by_type.items()):
                w.writerow([p.period, "cases_by_type", k, v])
            for k, v in sorted(p.by_channel.items()):
                w.writerow([p.period, "cases_by_channel", k, v])
            w.writerow([p.period, "sla_compliance", "", _round(p.sla_compliance)])
            for k, v in sorted(p.breaches.items()):
                w.writerow([p.period, "sla_breaches", k, v])
            for k, v in sorted(p.deadlines.items()):
                w.writerow([p.period, "deadlines_passed", k, v])
            w.writerow([p.period, "escalation_rate", "", _round(p.escalation_rate)])
            for cur, (n, amount) in sorted(p.refunds.items()):
                w.writerow([p.period, "refund_count", cur, n])
                w.writerow([p.period, "refund_amount", cur, amount])
            for k, v in p.reasons.most_common(5):
                w.writerow([p.period, "top_reasons", k, v])
        for s in self.repeat_skus:
            w.writerow(["all", "repeat_complaint_sku", s["sku"], s["cases"]])
        for wh, causes in self.misshipments.items():
            for cause, n in causes.items():
                w.writerow(["all", f"misshipments:{wh}", cause, n])
        return buf.getvalue()

    def table(self) -> str:
        out: list[str] = [f"caseflow report, {self.period}, times in {self.timezone}", ""]
        head = (
            f"{'period':<12} {'cases':>6} {'SLA met':>8} {'escalated':>9} {'refunds':<26} {'top type':<22} "
            f"{'top channel':<10}"
        )
        out += [head, "-" * len(head)]
        for p in self.periods:
            refunds = ", ".join(f"{n} = {a} {c}" for c, (n, a) in sorted(p.refunds.items())) or "-"
            top_type = ", ".join(f"{k} {v}" for k, v in p.by_type.most_common(1)) or "-"
            top_channel = ", ".join(f"{k} {v}" for k, v in p.by_channel.most_common(1)) or "-"
            out.append(
                f"{p.period:<12} {p.cases:>6} {_pct(p.sla_compliance):>8} {_pct(p.escalation_rate):>9} "
                f"{refunds:<26} {top_type:<22} {top_channel:<10}"
            )
        total = Counter[str]()
        channels = Counter[str]()
        reasons = Counter[str]()
        breaches = Counter[str]()
        deadlines = Counter[str]()
        for p in self.periods:
            total.update(p.by_type)
            channels.update(p.by_channel)
            reasons.update(p.reasons)
            breaches.update(p.breaches)
            deadlines.update(p.deadlines)
        out += [
            "",
            "volume by case type:  " + (", ".join(f"{k} {v}" for k, v in total.most_common()) or "-"),
            "volume by channel:    " + (", ".join(f"{k} {v}" for k, v in channels.most_common()) or "-"),
            "SLA breaches:         " + (", ".join(f"{k} {v}" for k, v in breaches.most_common()) or "none"),
            "deadlines passed:     " + (", ".join(f"{k} {v}" for k, v in deadlines.most_common()) or "none"),
            "top reasons:          " + (", ".join(f"{k} {v}" for k, v in reasons.most_common(5)) or "-"),
            "",
        ]
        out.append("repeat-complaint SKUs (2 or more complaint cases):")
        skus = [f"  {s['sku']:<16} {s['cases']:>4} cases  e.g. {', '.join(s['examples'])}" for s in self.repeat_skus]
        out += skus or ["  none"]
        out += ["", "mis-shipments by warehouse and cause:"]
        out += [
            f"  {wh:<16} " + ", ".join(f"{c} {n}" for c, n in causes.items())
            for wh, causes in self.misshipments.items()
        ] or ["  none"]
        return "\n".join(out)

    def svg(self, width: int = 760, height: int = 340) -> str:
        """A trend chart: cases per period (bars, left axis), SLA compliance and escalation rate
        (lines, right axis, 0-100 %). Plain SVG, no plotting library."""
        left, right, top, bottom = 56, 56, 36, 64
        pw, ph = width - left - right, height - top - bottom
        n = max(len(self.periods), 1)
        step = pw / n
        peak = max([p.cases for p in self.periods] + [1])
        nice = _nice_max(peak)
        parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
            f"<title>caseflow report: {escape(self.period)} trends</title>",
            f'<rect width="{width}" height="{height}" fill="white"/>',
            f'<text x="{left}" y="20" font-size="14">Cases, SLA compliance and escalation rate ({escape(self.period)}, '
            f"{escape(self.timezone)})</text>",
        ]
        for i in range(5):  # grid and both axes' labels
            y = top + ph - ph * i / 4
            parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + pw}" y2="{y:.1f}" stroke="#ddd"/>')
            parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{nice * i // 4}</text>')
            parts.append(f'<text x="{left + pw + 6}" y="{y + 4:.1f}">{25 * i}%</text>')
        sla_pts: list[str] = []
        esc_pts: list[str] = []
        for i, p in enumerate(self.periods):
            x = left + step * i
            h = ph * p.cases / nice
            parts.append(
                f'<rect x="{x + step * 0.15:.1f}" y="{top + ph - h:.1f}" width="{step * 0.7:.1f}" height="{h:.1f}" '
                f'fill="#9ecae1"><title>{escape(p.period)}: {p.cases} cases</title></rect>'
            )
            cx = x + step / 2
            if p.sla_compliance is not None:
                sla_pts.append(f"{cx:.1f},{top + ph - ph * p.sla_compliance:.1f}")
            if p.escalation_rate is not None:
                esc_pts.append(f"{cx:.1f},{top + ph - ph * p.escalation_rate:.1f}")
            if n <= 16 or i % max(1, n // 16) == 0:
                parts.append(
                    f'<text x="{cx:.1f}" y="{top + ph + 14}" text-anchor="end" '
                    f'transform="rotate(-35 {cx:.1f} {top + ph + 14})">{escape(p.period)}</text>'
                )
        for pts, color, label, ly in (
            (sla_pts, "#2ca02c", "SLA compliance", 0),
            (esc_pts, "#d62728", "escalation rate", 1),
        ):
            if pts:
                parts.append(f'<polyline points="{" ".join(pts)}" fill="none" stroke="{color}" stroke-width="2"/>')
                parts += [
                    f'<circle cx="{pt.split(",")[0]}" cy="{pt.split(",")[1]}" r="2.5" fill="{color}"/>' for pt in pts
                ]
            parts.append(
                f'<line x1="{left + pw - 150}" y1="{26 + 12 * ly}" x2="{left + pw - 132}" y2="{26 + 12 * ly}" '
                f'stroke="{color}" stroke-width="2"/><text x="{left + pw - 128}" y="{30 + 12 * ly}">{label}</text>'
            )
        parts.append(
            f'<rect x="{left + pw - 250}" y="{20}" width="12" height="9" fill="#9ecae1"/>'
            f'<text x="{left + pw - 234}" y="{28}">cases</text>'
        )
        parts.append("</svg>")
        return "\n".join(parts) + "\n"


def _nice_max(v: int) -> int:
    for m in (4, 8, 20, 40, 80, 100, 200, 400, 800, 1000, 2000, 4000, 8000, 10_000, 20_000, 40_000, 100_000):
        if v <= m:
            return m
    return ((v // 100_000) + 1) * 100_000


def _period_key(dt: datetime, period: Period, tz: ZoneInfo) -> str:
    local = dt.astimezone(tz)
    if period == "daily":
        return local.date().isoformat()
    if period == "weekly":
        y, w, _ = local.isocalendar()
        return f"{y}-W{w:02d}"
    return f"{local.year}-{local.month:02d}"


def _reason(case: Case) -> str | None:
    if case.request is not None and case.request.reason:
        return case.request.reason
    if case.dispute is not None:
        return f"dispute:{case.dispute.reason.value}"
    return None


def timezone(tz: str) -> ZoneInfo:
    """The IANA zone ``tz``, or a clear error."""
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise CaseflowError(
            f"unknown time zone {tz!r}; use an IANA name such as Asia/Shanghai or UTC", code="report-timezone"
        ) from None


def build_report(
    cases: Iterable[Case],
    outbox: Iterable[OutboxMessage] = (),
    *,
    period: Period = "weekly",
    tz: str = "UTC",
    since: datetime | None = None,
    until: datetime | None = None,
    tenant: str | None = None,
    sla_metrics: Iterable[str] = SERVICE_METRICS,
) -> Report:
    """Aggregate cases (and the refunds in ``outbox``) into a :class:`Report`. SLA compliance
    counts breaches of ``sla_metrics``; other metrics' breaches are deadlines that passed."""
    sla_metrics = frozenset(sla_metrics)
    if period not in ("daily", "weekly", "monthly"):
        raise CaseflowError(f"unknown period {period!r}; use daily, weekly or monthly", code="report-period")
    zone = timezone(tz)
    for name, value in (("since", since), ("until", until)):
        if value is not None:
            ensure_aware(value, f"build_report({name}=...)")
    stats: dict[str, PeriodStats] = {}
    sku_cases: dict[str, list[str]] = defaultdict(list)
    miss: dict[str, Counter[str]] = defaultdict(Counter)
    ids: set[str] = set()

    def at(dt: datetime) -> PeriodStats:
        key = _period_key(dt, period, zone)
        return stats.setdefault(key, PeriodStats(key))

    for c in cases:
        if not isinstance(c, Case):
            raise CaseflowError(
                f"build_report() takes Case objects, not {type(c).__name__}: use caseflow.parse_case(data) "
                "or a store's cases()",
                code="report-bad-case",
            )
        if (
            (tenant is not None and c.tenant != tenant)
            or (since is not None and c.created_at < since)
            or (until is not None and c.created_at >= until)
        ):
            continue
        ids.add(c.id)
        _count_case(at(c.created_at), c, sla_metrics, sku_cases, miss)
    for m in outbox:
        if m.kind == "refund.pay" and m.case_id in ids:
            _count_refund(at(m.created_at), m)
    repeat = sorted(
        (RepeatSku(sku=s, cases=len(v), examples=sorted(v)[:3]) for s, v in sku_cases.items() if len(v) >= 2),
        key=lambda r: (-r["cases"], r["sku"]),
    )[:10]
    return Report(
        period,
        tz,
        [stats[k] for k in sorted(stats)],
        repeat,
        {wh: dict(c.most_common()) for wh, c in sorted(miss.items())},
    )


def _count_case(
    p: PeriodStats,
    c: Case,
    sla_metrics: frozenset[str],
    sku_cases: dict[str, list[str]],
    miss: dict[str, Counter[str]],
) -> None:
    """Count case ``c`` in its period ``p``, its SKUs if it is a complaint, and a mis-shipment."""
    p.cases += 1
    p.by_type[c.case_type.value] += 1
    p.by_channel[c.channel.value] += 1
    service = [m for m in c.sla_breaches if m in sla_metrics]
    if service:
        p.breached += 1
        p.breaches.update(service)
    p.deadlines.update(m for m in c.sla_breaches if m not in sla_metrics)
    if c.tier == 2 or "tier2" in c.states:
        p.escalated += 1
    reason = _reason(c)
    if reason:
        p.reasons[reason] += 1
    complaint = c.case_type.value in _COMPLAINT_TYPES or (reason or "").removeprefix("dispute:") in COMPLAINT_REASONS
    if complaint:
        for sku in {i.sku for o in c.orders for i in o.items}:
            sku_cases[sku].append(c.id)
    if c.case_type.value == "wrong_item" or reason == "wrong_item":
        warehouse = str(c.attributes.get("warehouse") or "unknown")
        miss[warehouse][c.root_cause or "open (no root cause yet)"] += 1


def _count_refund(p: PeriodStats, m: OutboxMessage) -> None:
    """Count a refund paid through the outbox in the period it was decided."""
    cur = str(m.payload.get("currency", "?"))
    entry = p.refunds.setdefault(cur, [0, Decimal(0)])
    entry[0] += 1
    entry[1] += Decimal(str(m.payload.get("amount", "0")))
