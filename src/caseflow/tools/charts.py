"""The report's charts, drawn with matplotlib (``pip install 'caseflow[report]'``).

Each ``*_chart`` function takes a :class:`~caseflow.tools.report.Report` and returns one SVG
document as text: :func:`cases_chart` (cases per period, stacked by channel), :func:`sla_chart`
(SLA compliance with its target line), :func:`escalation_chart`, :func:`refunds_chart` (one
panel per currency) and :func:`trend_chart` (cases over SLA compliance and escalation rate, the
chart of ``caseflow report --chart``). The ``*_figure`` functions return the same charts as
matplotlib figures, to save in another format (``fig.savefig("cases.png")``) or adjust.

Every chart has a title, both axis titles and a legend outside the plot area, so that nothing
overlaps; percentages are labelled as such, and a period with no figure says "no data" on the
chart. The figures are plain :class:`matplotlib.figure.Figure` objects (no pyplot: no global
figure state, no window, any thread may draw); text stays text in the SVG (searchable,
selectable), and the output is reproducible (fixed ids, no date). Importing this module
imports matplotlib; ``import caseflow`` never does.
"""

from __future__ import annotations

import io
import math
import re
import threading
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal
from typing import Protocol

from ..errors import CaseflowError

try:
    import matplotlib
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator, PercentFormatter, StrMethodFormatter
except ImportError:  # pragma: no cover - exercised by a test that hides matplotlib
    raise CaseflowError(
        "the report's charts and HTML page need matplotlib: pip install 'caseflow[report]'",
        code="report-needs-matplotlib",
    ) from None

__all__ = [
    "DEFAULT_SLA_TARGET",
    "cases_chart",
    "cases_figure",
    "check_target",
    "escalation_chart",
    "escalation_figure",
    "refunds_chart",
    "refunds_figure",
    "sla_chart",
    "sla_figure",
    "trend_chart",
    "trend_figure",
]

DEFAULT_SLA_TARGET = 0.95

# matplotlib reads the SVG settings from its global rcParams while it saves: one figure at a time
_SAVING = threading.Lock()
_NO_DATA = "#6e7781"
_SLA = "#1a7f37"
_TARGET = "#cf222e"
_ESCALATION = "#8250df"
_WIDTH, _HEIGHT = 9.5, 3.8  # inches; SVG units are points (72 per inch)
_MAX_LABELS = 16  # period labels on an x axis; more periods label every k-th


class _Period(Protocol):
    """What the charts read of a :class:`~caseflow.tools.report.PeriodStats`."""

    @property
    def period(self) -> str: ...
    @property
    def cases(self) -> int: ...
    @property
    def by_channel(self) -> Counter[str]: ...
    @property
    def refunds(self) -> dict[str, list[int | Decimal]]: ...
    @property
    def sla_compliance(self) -> float | None: ...
    @property
    def escalation_rate(self) -> float | None: ...


class _Report(Protocol):
    """What the charts read of a :class:`~caseflow.tools.report.Report`."""

    @property
    def period(self) -> str: ...
    @property
    def timezone(self) -> str: ...
    @property
    def periods(self) -> Sequence[_Period]: ...


def check_target(sla_target: float) -> float:
    """``sla_target`` if it is a fraction in (0, 1], else a ValueError."""
    if isinstance(sla_target, bool) or not (isinstance(sla_target, int | float) and 0 < sla_target <= 1):
        raise ValueError(f"sla_target must be a fraction above 0 and at most 1, such as 0.95, not {sla_target!r}")
    return float(sla_target)


# -- the charts, as SVG ---------------------------------------------------------------------------
def cases_chart(report: _Report) -> str:
    """:func:`cases_figure` as an SVG document."""
    return _svg(cases_figure(report), name="cases")


def sla_chart(report: _Report, sla_target: float = DEFAULT_SLA_TARGET) -> str:
    """:func:`sla_figure` as an SVG document."""
    return _svg(sla_figure(report, sla_target), name="sla")


def escalation_chart(report: _Report) -> str:
    """:func:`escalation_figure` as an SVG document."""
    return _svg(escalation_figure(report), name="escalation")


def refunds_chart(report: _Report) -> str:
    """:func:`refunds_figure` as an SVG document."""
    return _svg(refunds_figure(report), name="refunds")


def trend_chart(
    report: _Report, sla_target: float = DEFAULT_SLA_TARGET, *, width: float = 760, height: float = 520
) -> str:
    """:func:`trend_figure` as an SVG document, ``width`` by ``height`` points."""
    return _svg(trend_figure(report, sla_target, width=width, height=height), name="trend")


# -- the charts, as matplotlib figures (to save in another format, or to adjust) -------------------
def cases_figure(report: _Report) -> Figure:
    """Cases opened per period, as bars stacked by channel (each period's total outlined, with
    the SVG id ``cases-<period>``; each channel's part ``cases-<period>-<channel>``)."""
    title = f"Cases opened per {_unit(report)}, by channel"
    fig = _figure(title)
    _draw_cases(fig.add_subplot(), report, title)
    return fig


def sla_figure(report: _Report, sla_target: float = DEFAULT_SLA_TARGET) -> Figure:
    """SLA compliance per period (the share of cases with no breach of a service metric) as a
    line, the target as a dashed horizontal line, "no data" where a period has no SLA figure."""
    target = check_target(sla_target)
    title = f"SLA compliance per {_unit(report)} (target {_percent(target)})"
    fig = _figure(title)
    _draw_rates(fig.add_subplot(), report, title, target=target, escalation=False)
    return fig


def escalation_figure(report: _Report) -> Figure:
    """The escalation rate per period: the share of the period's cases that reached tier 2."""
    title = f"Escalation rate per {_unit(report)}"
    fig = _figure(title)
    _draw_rates(fig.add_subplot(), report, title, target=None, sla=False)
    return fig


def refunds_figure(report: _Report) -> Figure:
    """Refunds paid through the outbox per period: one panel per currency (amounts in different
    currencies share no scale), bars of the amount with the SVG id ``refunds-<currency>-<period>``."""
    periods = list(report.periods)
    currencies = sorted({c for p in periods for c in p.refunds})
    title = f"Refunds paid per {_unit(report)}, by currency"
    fig = _figure(title, height=1.0 + 2.2 * max(len(currencies), 1))
    if not currencies:
        ax = fig.add_subplot()
        ax.set_title(title)
        _period_axis(ax, report, when="refund decided")
        ax.set_ylabel("amount paid")
        ax.set_yticks([])
        _no_data_note(ax, "no data: no refund was paid through the outbox", gid="refunds-no-data")
        return fig
    fig.suptitle(title)
    axes = fig.subplots(len(currencies), 1, sharex=True, squeeze=False)[:, 0]
    colors = matplotlib.color_sequences["tab10"]
    x = list(range(len(periods)))
    for i, (ax, cur) in enumerate(zip(axes, currencies, strict=True)):
        amounts = [float(p.refunds[cur][1]) if cur in p.refunds else 0.0 for p in periods]
        bars = ax.bar(x, amounts, width=0.7, color=colors[i % len(colors)], label=f"{_tx(cur)}: amount paid")
        for rect, p in zip(bars.patches, periods, strict=True):
            rect.set_gid(_gid("refunds", cur, p.period))
        ax.set_ylabel(f"amount ({_tx(cur)})")
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=4))
        ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))  # 1,200,000, not 1.2 and "1e6"
        ax.grid(axis="y", color="#e5e5e5")
        ax.set_axisbelow(True)
        if i == len(currencies) - 1:
            _period_axis(ax, report, when="refund decided")
    fig.align_ylabels(list(axes))
    fig.legend(loc="outside lower center", ncols=min(len(currencies), 4), frameon=False)
    return fig


def trend_figure(
    report: _Report, sla_target: float = DEFAULT_SLA_TARGET, *, width: float = 760, height: float = 520
) -> Figure:
    """The trend chart: cases per period stacked by channel above SLA compliance (with its
    target) and the escalation rate, legends right of each plot. ``width`` and ``height`` are in
    points (SVG units, 72 to the inch)."""
    target = check_target(sla_target)
    title = f"Cases, SLA compliance and escalation rate ({report.period}, {report.timezone})"
    fig = _figure(title, width=width / 72, height=height / 72)
    top, bottom = fig.subplots(2, 1, sharex=True)
    fig.suptitle(_tx(title))
    _draw_cases(top, report, f"Cases opened per {_unit(report)}, by channel", x_title=False, legend_below=False)
    _draw_rates(
        bottom, report, f"SLA compliance and escalation rate per {_unit(report)}", target=target, legend_below=False
    )
    fig.align_ylabels([top, bottom])
    return fig


def _figure(title: str, *, width: float = _WIDTH, height: float = _HEIGHT) -> Figure:
    """A figure of ``width`` by ``height`` inches, laid out by matplotlib (nothing overlaps),
    labelled with its ``title`` (the SVG's <title>)."""
    fig = Figure(figsize=(width, height), layout="constrained")
    fig.set_label(title)
    return fig


# -- drawing ---------------------------------------------------------------------------------------
def _draw_cases(ax: Axes, report: _Report, title: str, *, x_title: bool = True, legend_below: bool = True) -> None:
    periods = list(report.periods)
    x = list(range(len(periods)))
    totals: Counter[str] = Counter()
    for p in periods:
        totals.update(p.by_channel)
    channels = sorted(totals, key=lambda c: (-totals[c], c))
    colors = matplotlib.color_sequences["tab10"]
    base = [0] * len(periods)
    for i, channel in enumerate(channels):
        heights = [p.by_channel.get(channel, 0) for p in periods]
        bars = ax.bar(x, heights, bottom=base, width=0.7, color=colors[i % len(colors)], label=_tx(channel))
        for rect, p in zip(bars.patches, periods, strict=True):
            rect.set_gid(_gid("cases", p.period, channel))
        base = [b + h for b, h in zip(base, heights, strict=True)]
    outline = ax.bar(x, [p.cases for p in periods], width=0.7, fill=False, edgecolor="#24292f", linewidth=0.8)
    for rect, p in zip(outline.patches, periods, strict=True):
        rect.set_gid(_gid("cases", p.period))
    if 0 < len(periods) <= 20:
        ax.bar_label(outline, padding=2, fontsize=8)
    ax.set_title(title)
    ax.set_ylabel("cases opened")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(bottom=0, top=max([p.cases for p in periods] + [1]) * 1.15)
    ax.grid(axis="y", color="#e5e5e5")
    ax.set_axisbelow(True)
    _period_axis(ax, report, x_title=x_title)
    if channels:
        _legend(ax, "channel", below=legend_below)
    else:
        _no_data_note(ax, "no data: no case in this range", gid="cases-no-data")


def _draw_rates(
    ax: Axes,
    report: _Report,
    title: str,
    *,
    target: float | None,
    escalation: bool = True,
    sla: bool = True,
    legend_below: bool = True,
) -> None:
    """SLA compliance (with ``target``) and/or the escalation rate, as lines on a percent axis."""
    periods = list(report.periods)
    x = list(range(len(periods)))
    key = "sla" if sla else "escalation"  # the prefix of the ids of the "no data" notes
    dots = len(periods) <= 31  # markers on each period's figure, unless they would crowd the line
    shown: list[float] = []
    if sla:
        values = [_nan(p.sla_compliance) for p in periods]
        shown += [v for v in values if not math.isnan(v)]
        ax.plot(
            x, values, marker="o" if dots else "", color=_SLA, linewidth=2, label="SLA compliance", gid="sla-compliance"
        )
        if target is not None:
            ax.axhline(
                target,
                color=_TARGET,
                linestyle="--",
                linewidth=1.4,
                label=f"target {_percent(target)}",
                gid="sla-target",
            )
            shown.append(target)
    if escalation:
        values = [_nan(p.escalation_rate) for p in periods]
        shown += [v for v in values if not math.isnan(v)]
        ax.plot(
            x,
            values,
            marker="s" if dots else "",
            color=_ESCALATION,
            linewidth=2,
            label="escalation rate",
            gid="escalation-rate",
        )
    ax.set_title(title)
    ax.set_ylabel("share of cases" if sla else "cases escalated to tier 2")
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    if sla and not escalation and len(shown) > 1:  # compliance alone: zoom on the figures and the target
        ax.set_ylim(math.floor(max(0.0, min(shown) - 0.05) * 10) / 10, 1.02)
    elif not sla:  # the escalation rate alone: from 0 to a little above its highest
        ax.set_ylim(0, max(max(shown, default=0.0) * 1.15, 0.1))
    else:
        ax.set_ylim(0, 1.05)
    ax.grid(axis="y", color="#e5e5e5")
    ax.set_axisbelow(True)
    _period_axis(ax, report)
    _legend(ax, None, below=legend_below)
    missing = [
        i
        for i, p in enumerate(periods)
        if (sla and p.sla_compliance is None) or (not sla and escalation and p.escalation_rate is None)
    ]
    if periods and len(missing) == len(periods):
        what = "SLA compliance: no data (no case carries an SLA mark)" if sla else "no data: no case in this range"
        _no_data_note(ax, what, gid=f"{key}-no-data")
    else:
        for i in missing:
            ax.text(
                i,
                0.5,
                "no data",
                transform=ax.get_xaxis_transform(),
                rotation=90 if len(periods) > 8 else 0,
                ha="center",
                va="center",
                color=_NO_DATA,
                fontsize=8,
                gid=_gid(key, "no-data", periods[i].period),
            )
    if not periods:
        _no_data_note(ax, "no data: no case in this range", gid=f"{key}-no-data")


def _period_axis(ax: Axes, report: _Report, *, x_title: bool = True, when: str = "opened") -> None:
    """Periods on the x axis (every k-th labelled when there are many); its title says what
    places a figure in a period: the case ``opened`` (a refund: ``decided``) in the report's zone."""
    periods = list(report.periods)
    step = max(1, math.ceil(len(periods) / _MAX_LABELS))
    ticks = list(range(0, len(periods), step))
    ax.set_xticks(ticks, [_tx(periods[i].period) for i in ticks])
    if len(periods) > 9:
        ax.tick_params(axis="x", labelrotation=35)
        for label in ax.get_xticklabels():
            label.set_horizontalalignment("right")
            label.set_rotation_mode("anchor")
    ax.set_xlim(-0.6, max(len(periods), 1) - 0.4)
    if x_title:
        ax.set_xlabel(f"{_unit(report)} {when} ({_tx(report.timezone)})")


def _legend(ax: Axes, title: str | None, *, below: bool) -> None:
    """The legend outside the plot area - under the figure (``below``, a chart alone) or right of
    the axes (a chart of several axes) - where it cannot cover the titles or the data."""
    if below:
        n = len(ax.get_legend_handles_labels()[1])
        ax.figure.legend(loc="outside lower center", ncols=max(1, min(n, 6)), frameon=False, title=title)
    else:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, frameon=False, title=title)


def _no_data_note(ax: Axes, text: str, *, gid: str) -> None:
    ax.text(
        0.5,
        0.5,
        _tx(text),
        transform=ax.transAxes,
        ha="center",
        va="center",
        color=_NO_DATA,
        fontsize=12,
        gid=gid,
    )


# -- helpers ---------------------------------------------------------------------------------------
def _svg(fig: Figure, *, name: str) -> str:
    """The figure as an SVG document: text as text, a <title>, no date, and ids that are the
    same on every run and differ from chart to chart (several charts share one HTML page):
    matplotlib's numbered group ids (``axes_1``) get the prefix ``name``, and its hashed ones
    (clip paths, markers) are salted with it."""
    buf = io.StringIO()
    with _SAVING, matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": f"caseflow-{name}"}):
        fig.savefig(
            buf, format="svg", metadata={"Title": str(fig.get_label()), "Date": None, "Creator": None, "Type": None}
        )
    return re.sub(r'<g id="([\w.]+_\d+)"', rf'<g id="{name}-\1"', buf.getvalue())


def _percent(fraction: float) -> str:
    return f"{100 * fraction:g}%"


def _unit(report: _Report) -> str:
    return {"daily": "day", "weekly": "ISO week", "monthly": "month"}.get(report.period, "period")


def _nan(x: float | None) -> float:
    return math.nan if x is None else x


def _tx(text: str) -> str:
    """Text as matplotlib shows it literally (a ``$`` would start mathtext)."""
    return text.replace("$", r"\$")


def _gid(*parts: str) -> str:
    """An SVG id from ``parts``: letters, digits, ``_``, ``.`` and ``-`` only."""
    return "-".join(re.sub(r"[^A-Za-z0-9_.-]", "_", p) for p in parts)
