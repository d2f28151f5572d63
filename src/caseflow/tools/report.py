"""Reports for tier-2 leads: what the cases in a store did, by day, week or month.

::

    report = build_report(store.cases(), store.outbox(), period="weekly", tz="Asia/Shanghai")
    print(report.table())          # or report.csv(), report.to_dict(), report.json()
    Path("weekly.html").write_text(report.html())  # one page: tables and charts (caseflow[report])

Per period (cases by the time they were opened, in the report's time zone): volume by case
type and channel; SLA compliance (the share of cases with no breach of a service metric -
first response, next response, periodic update, resolution - and breaches per metric; the
platform deadlines that passed are counted apart); the escalation rate (cases that reached tier 2); refunds paid through
the outbox (count and amount per currency, by the time they were decided); the top reasons.
Over the whole range: SKUs that come back in complaint after complaint, and mis-shipments by
warehouse (the case's ``attributes["warehouse"]``) and cause (its ``root_cause``, set when
the case is resolved). The report reads plain data and changes nothing.

SLA compliance is known only where SLA clocks ran: when no case of the report carries an SLA mark
(a warning or a breach of any metric, in ``Case.sla_warnings`` / ``Case.sla_breaches``), the store
tracks no SLA and every period's compliance is ``None`` - "no data" in the table, CSV and HTML,
``null`` in JSON - rather than a 100 % nobody measured.

The charts (:meth:`Report.svg`, and those of :meth:`Report.html`) are drawn by matplotlib, in
``caseflow.tools.charts``, imported only when a chart is asked for: ``pip install
'caseflow[report]'``; the table, CSV and JSON need nothing beyond caseflow.
"""

from __future__ import annotations

import calendar
import csv
import io
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from html import escape
from typing import Literal, TypedDict
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import JsonValue

from .._version import VERSION
from ..clock import ensure_aware
from ..errors import CaseflowError
from ..model.case import Case
from ..store.effects import OutboxMessage
from ..store.sql import ClockRow
from .csvsafe import SafeWriter

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
DEFAULT_SLA_TARGET = 0.95  # the SLA compliance the charts and the HTML page hold the periods to
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
    sla_cases: int | None = None  # cases whose SLA was measured (recorded clocks); None: every case
    breaches: Counter[str] = field(default_factory=Counter)  # service metric -> cases breached
    deadlines: Counter[str] = field(default_factory=Counter)  # platform deadline -> cases where it passed
    escalated: int = 0
    refunds: dict[str, list[int | Decimal]] = field(default_factory=dict)  # currency -> [count, amount]
    reasons: Counter[str] = field(default_factory=Counter)
    sla_tracked: bool = True  # False: no case of the report carries an SLA mark, compliance is unknown

    @property
    def sla_compliance(self) -> float | None:
        measured = self.cases if self.sla_cases is None else self.sla_cases
        return None if not measured or not self.sla_tracked else 1 - self.breached / measured

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


NO_DATA = "no data"


def _pct(x: float | None) -> str:
    return NO_DATA if x is None else f"{100 * x:.1f}%"


def _csv_rate(x: float | None) -> float | str:
    return NO_DATA if x is None else round(x, 4)


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
    sla_tracked: bool = True  # False: no case carries an SLA mark; SLA compliance is "no data"

    # -- output ------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, JsonValue]:
        return {
            "period": self.period,
            "timezone": self.timezone,
            "sla_tracked": self.sla_tracked,
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
        w = SafeWriter(csv.writer(buf, lineterminator="\n"))  # no cell a spreadsheet would run
        w.writerow(["period", "measure", "key", "value"])
        for p in self.periods:
            w.writerow([p.period, "cases", "", p.cases])
            for k, v in sorted(p.by_type.items()):
                w.writerow([p.period, "cases_by_type", k, v])
            for k, v in sorted(p.by_channel.items()):
                w.writerow([p.period, "cases_by_channel", k, v])
            w.writerow([p.period, "sla_compliance", "", _csv_rate(p.sla_compliance)])
            for k, v in sorted(p.breaches.items()):
                w.writerow([p.period, "sla_breaches", k, v])
            for k, v in sorted(p.deadlines.items()):
                w.writerow([p.period, "deadlines_passed", k, v])
            w.writerow([p.period, "escalation_rate", "", _csv_rate(p.escalation_rate)])
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
        none = "none" if self.sla_tracked else f"{NO_DATA} (no case carries an SLA mark)"
        out += [
            "",
            "volume by case type:  " + (", ".join(f"{k} {v}" for k, v in total.most_common()) or "-"),
            "volume by channel:    " + (", ".join(f"{k} {v}" for k, v in channels.most_common()) or "-"),
            "SLA breaches:         " + (", ".join(f"{k} {v}" for k, v in breaches.most_common()) or none),
            "deadlines passed:     " + (", ".join(f"{k} {v}" for k, v in deadlines.most_common()) or none),
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

    def svg(self, width: int = 760, height: int = 520, *, sla_target: float = DEFAULT_SLA_TARGET) -> str:
        """The trend chart as an SVG document: cases per period stacked by channel (each period's
        bar has the id ``cases-<period>``) above SLA compliance, its target line and the
        escalation rate. Drawn by matplotlib: ``pip install 'caseflow[report]'``."""
        from . import charts  # matplotlib, or a CaseflowError saying how to install it

        return charts.trend_chart(self, sla_target, width=width, height=height)

    def html(self, sla_target: float = DEFAULT_SLA_TARGET) -> str:
        """The report as one self-contained HTML page (inline style and SVG charts; nothing
        fetched): the figures per period, the four charts (cases by channel, SLA compliance
        against ``sla_target``, escalation rate, refunds per currency), then volume, SLA
        breaches, reasons, repeat-complaint SKUs and mis-shipments over the whole range.
        Needs matplotlib: ``pip install 'caseflow[report]'``."""
        from . import charts  # matplotlib, or a CaseflowError saying how to install it

        target = charts.check_target(sla_target)
        svgs = [
            charts.cases_chart(self),
            charts.sla_chart(self, target),
            charts.escalation_chart(self),
            charts.refunds_chart(self),
        ]
        return _html(self, svgs, target)


# -- the HTML page ------------------------------------------------------------------------------
_STYLE = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       color: #1f2328; background: #fff; max-width: 1120px; margin: 1.5rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; border-bottom: 1px solid #d0d7de; padding-bottom: .25rem; }
h3 { font-size: 1rem; margin: 1rem 0 .25rem; }
.meta { color: #57606a; margin: 0; }
.notice { background: #fff8c5; border: 1px solid #d4a72c; border-radius: 6px; padding: .5rem .75rem; }
table { border-collapse: collapse; margin: .25rem 0 1rem; }
th, td { border-bottom: 1px solid #d0d7de; padding: .3rem .7rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; }
tfoot td { font-weight: 600; border-top: 2px solid #8c959f; }
.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.nodata { color: #6e7781; font-style: italic; }
.below { color: #b42318; font-weight: 600; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 0 2rem; }
figure { margin: 1rem 0 1.5rem; }
figure svg { max-width: 100%; height: auto; display: block; }
footer { color: #6e7781; margin: 2rem 0 1rem; font-size: .85rem; }
@media print { h2 { break-after: avoid; } figure, table { break-inside: avoid; } }
"""
_KINDS = {"daily": "daily (calendar days)", "weekly": "weekly (ISO weeks, Monday to Sunday)", "monthly": "monthly"}


def _html(r: Report, svgs: list[str], target: float) -> str:
    """The page of :meth:`Report.html`; ``svgs`` are the charts, each an SVG document."""
    total = _total(r)
    title = f"caseflow report, {r.period}, times in {r.timezone}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>",
        "<body>",
        "<header>",
        "<h1>caseflow report</h1>",
        f'<p class="meta">{escape(_KINDS.get(r.period, r.period))}; times in {escape(r.timezone)}; '
        f"{escape(_range(r))}; {total.cases} cases; SLA target {100 * target:g}%</p>",
        "</header>",
    ]
    if not r.sla_tracked:
        parts.append(
            '<p class="notice">SLA compliance: <strong>no data</strong>. No case in this report carries an SLA '
            "mark (a warning or a breach of any metric): the store has no SLA tracking, so nothing was measured.</p>"
        )
    parts += ["<h2>Per period</h2>", _summary(r, total, target), "<h2>Charts</h2>"]
    for name, svg in zip(("cases", "sla", "escalation", "refunds"), svgs, strict=True):
        parts.append(f'<figure id="chart-{name}">{svg[svg.index("<svg") :]}</figure>')
    parts += _details(r, total)
    parts += [f"<footer>caseflow {escape(VERSION)}</footer>", "</body>", "</html>"]
    return "\n".join(parts) + "\n"


def _total(r: Report) -> PeriodStats:
    """The figures of every period together."""
    t = PeriodStats("all periods", sla_tracked=r.sla_tracked)
    for p in r.periods:
        t.cases += p.cases
        if p.sla_cases is not None:
            t.sla_cases = (t.sla_cases or 0) + p.sla_cases
        t.breached += p.breached
        t.escalated += p.escalated
        for mine, theirs in (
            (t.by_type, p.by_type),
            (t.by_channel, p.by_channel),
            (t.breaches, p.breaches),
            (t.deadlines, p.deadlines),
            (t.reasons, p.reasons),
        ):
            mine.update(theirs)
        for cur, (n, amount) in p.refunds.items():
            entry = t.refunds.setdefault(cur, [0, Decimal(0)])
            entry[0] += n
            entry[1] += amount
    return t


def _range(r: Report) -> str:
    if not r.periods:
        return "no cases"
    first, last = _span(r.periods[0].period, r.period), _span(r.periods[-1].period, r.period)
    return f"{first[0].isoformat()} to {last[1].isoformat()} ({len(r.periods)} {r.period} periods)"


def _span(key: str, period: Period) -> tuple[date, date]:
    """The first and last day of the period ``key`` (2026-11-02, 2026-W45, 2026-11)."""
    if period == "daily":
        d = date.fromisoformat(key)
        return d, d
    if period == "weekly":
        iso_year, week = key.split("-W")
        start = date.fromisocalendar(int(iso_year), int(week), 1)
        return start, start + timedelta(days=6)
    y, m = (int(part) for part in key.split("-"))
    return date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1])


def _cell(text: str, *, num: bool = False, cls: str = "") -> str:
    classes = " ".join(c for c in ("n" if num else "", cls, "nodata" if text == NO_DATA else "") if c)
    return f'<td class="{classes}">{escape(text)}</td>' if classes else f"<td>{escape(text)}</td>"


def _summary_row(p: PeriodStats, target: float, tag: str = "td") -> str:
    sla = p.sla_compliance
    refunds = "; ".join(f"{a} {c} ({n})" for c, (n, a) in sorted(p.refunds.items())) or "-"
    escalated = NO_DATA if p.escalation_rate is None else f"{_pct(p.escalation_rate)} ({p.escalated})"
    cells = [
        f"<{tag}>{escape(p.period)}</{tag}>",
        _cell(str(p.cases), num=True),
        _cell(_pct(sla), num=True, cls="below" if sla is not None and sla < target else ""),
        _cell(escalated, num=True),
        _cell(refunds),
        _cell(", ".join(f"{k} {v}" for k, v in p.by_type.most_common(1)) or "-"),
        _cell(", ".join(f"{k} {v}" for k, v in p.by_channel.most_common(1)) or "-"),
    ]
    return "<tr>" + "".join(cells) + "</tr>"


def _summary(r: Report, total: PeriodStats, target: float) -> str:
    head = (
        '<tr><th>period</th><th class="n">cases</th><th class="n">SLA met</th><th class="n">escalated</th>'
        "<th>refunds paid (count)</th><th>top type</th><th>top channel</th></tr>"
    )
    rows = [_summary_row(p, target, "th") for p in r.periods] or ['<tr><td colspan="7">no cases</td></tr>']
    return (
        f'<table id="summary"><thead>{head}</thead><tbody>{"".join(rows)}</tbody>'
        f"<tfoot>{_summary_row(total, target)}</tfoot></table>"
    )


def _counts(
    caption: str | None, key: str, rows: list[tuple[str, int]], of: int | None = None, empty: str = "none"
) -> list[str]:
    """A table of (name, cases) ``rows``, with each one's share of ``of`` cases."""
    out = ([f"<h3>{escape(caption)}</h3>"] if caption else []) + ["<table>"]
    share = '<th class="n">share</th>' if of else ""
    out.append(f'<thead><tr><th>{escape(key)}</th><th class="n">cases</th>{share}</tr></thead><tbody>')
    for name, n in rows:
        pct = _cell(_pct(n / of), num=True) if of else ""
        out.append(f"<tr>{_cell(name)}{_cell(str(n), num=True)}{pct}</tr>")
    if not rows:
        out.append(f"<tr>{_cell(empty)}<td></td>{'<td></td>' if of else ''}</tr>")
    out.append("</tbody></table>")
    return out


def _details(r: Report, total: PeriodStats) -> list[str]:
    """Volume, SLA breaches and deadlines, reasons, repeat SKUs, mis-shipments: over the range."""
    sla_empty = "none" if r.sla_tracked else NO_DATA
    out = ["<h2>Volume</h2>", '<div class="grid"><div>']
    out += _counts("By case type", "case type", total.by_type.most_common(), total.cases)
    out += ["</div><div>"]
    out += _counts("By channel", "channel", total.by_channel.most_common(), total.cases)
    out += ["</div></div>", "<h2>SLA breaches and platform deadlines</h2>", '<div class="grid"><div>']
    out += _counts("Cases breaching a service metric", "metric", total.breaches.most_common(), None, sla_empty)
    out += ["</div><div>"]
    out += _counts("Platform deadlines passed", "deadline", total.deadlines.most_common(), None, sla_empty)
    out += ["</div></div>", "<h2>Top reasons</h2>"]
    out += _counts(None, "reason", total.reasons.most_common(10), total.cases)
    out += [
        "<h2>Repeat-complaint SKUs</h2>",
        "<p>SKUs in two or more damaged, defective, not-as-described or wrong-item cases.</p>",
        '<table id="repeat-skus"><thead><tr><th>SKU</th><th class="n">cases</th><th>e.g.</th></tr></thead><tbody>',
    ]
    out += [
        f"<tr>{_cell(s['sku'])}{_cell(str(s['cases']), num=True)}{_cell(', '.join(s['examples']))}</tr>"
        for s in r.repeat_skus
    ] or ['<tr><td colspan="3">none</td></tr>']
    out += [
        "</tbody></table>",
        "<h2>Mis-shipments by warehouse and cause</h2>",
        '<table id="misshipments"><thead><tr><th>warehouse</th><th>cause</th><th class="n">cases</th></tr></thead>'
        "<tbody>",
    ]
    out += [
        f"<tr>{_cell(wh)}{_cell(cause)}{_cell(str(n), num=True)}</tr>"
        for wh, causes in r.misshipments.items()
        for cause, n in causes.items()
    ] or ['<tr><td colspan="3">none</td></tr>']
    out.append("</tbody></table>")
    return out


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
    clocks: Iterable[tuple[str, ClockRow]] | None = None,
) -> Report:
    """Aggregate cases (and the refunds in ``outbox``) into a :class:`Report`. SLA compliance
    counts breaches of ``sla_metrics``; other metrics' breaches are deadlines that passed.

    With ``clocks`` (a store's recorded clock cycles, ``store.sla_clocks()``) SLA figures come from
    them alone: a case counts for SLA compliance only if a clock of a service metric was recorded
    for it, a breach only if its breach mark was recorded; where no clock was recorded the report
    says "no data". Without, they come from the marks the cases carry (``case.sla_breaches``)."""
    sla_metrics = frozenset(sla_metrics)
    recorded = None if clocks is None else _recorded_breaches(clocks)
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
    marked = False  # some case carries an SLA mark: SLA clocks ran

    def at(dt: datetime) -> PeriodStats:
        key = _period_key(dt, period, zone)
        return stats.setdefault(key, PeriodStats(key))

    for c in cases:
        if not _in_scope(c, tenant, since, until):
            continue
        ids.add(c.id)
        if recorded is None:
            marked = marked or bool(c.sla_breaches or c.sla_warnings)
            _count_case(at(c.created_at), c, sla_metrics, sku_cases, miss, c.sla_breaches)
        else:
            p = at(c.created_at)
            levels = recorded.get(c.id)
            measured = levels is not None and bool(levels.keys() & sla_metrics)
            marked = marked or measured
            p.sla_cases = (p.sla_cases or 0) + measured
            _count_case(p, c, sla_metrics, sku_cases, miss, {m: n for m, n in (levels or {}).items() if n})
    for m in outbox:
        if m.kind == "refund.pay" and m.case_id in ids:
            _count_refund(at(m.created_at), m)
    repeat = sorted(
        (RepeatSku(sku=s, cases=len(v), examples=sorted(v)[:3]) for s, v in sku_cases.items() if len(v) >= 2),
        key=lambda r: (-r["cases"], r["sku"]),
    )[:10]
    for p in stats.values():
        p.sla_tracked = marked
    return Report(
        period,
        tz,
        [stats[k] for k in sorted(stats)],
        repeat,
        {wh: dict(c.most_common()) for wh, c in sorted(miss.items())},
        sla_tracked=marked,
    )


def _in_scope(c: object, tenant: str | None, since: datetime | None, until: datetime | None) -> bool:
    """Whether case ``c`` belongs in the report (a :class:`Case` of the tenant, opened in the window)."""
    if not isinstance(c, Case):
        raise CaseflowError(
            f"build_report() takes Case objects, not {type(c).__name__}: use caseflow.parse_case(data) "
            "or a store's cases()",
            code="report-bad-case",
        )
    return not (
        (tenant is not None and c.tenant != tenant)
        or (since is not None and c.created_at < since)
        or (until is not None and c.created_at >= until)
    )


def _recorded_breaches(clocks: Iterable[tuple[str, ClockRow]]) -> dict[str, dict[str, int]]:
    """Case id -> metric -> the highest breach level recorded for it (0: measured, never breached)."""
    out: dict[str, dict[str, int]] = {}
    for case_id, row in clocks:
        if row.state == "dropped":
            continue
        metrics = out.setdefault(case_id, {})
        metrics[row.metric] = max(metrics.get(row.metric, 0), row.breach_level)
    return out


def _count_case(
    p: PeriodStats,
    c: Case,
    sla_metrics: frozenset[str],
    sku_cases: dict[str, list[str]],
    miss: dict[str, Counter[str]],
    breaches: Mapping[str, int],
) -> None:
    """Count case ``c`` in its period ``p`` (with its breached metrics), its SKUs if it is a complaint,
    and a mis-shipment."""
    p.cases += 1
    p.by_type[c.case_type.value] += 1
    p.by_channel[c.channel.value] += 1
    service = [m for m in breaches if m in sla_metrics]
    if service:
        p.breached += 1
        p.breaches.update(service)
    p.deadlines.update(m for m in breaches if m not in sla_metrics)
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
