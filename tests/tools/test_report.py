"""caseflow report: per-period figures, as a table, CSV, JSON and an SVG chart."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

import caseflow.tools
from caseflow.errors import CaseflowError
from caseflow.tools.report import build_report

from .helpers import MON, _case, busy_fortnight, chromium, refund

SVG = "{http://www.w3.org/2000/svg}"


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
        refund("R-1", "50.00", "CNY", MON, 1),
        refund("R-2", "20.00", "CNY", MON + timedelta(days=1), 2),
        refund("R-3", "300000", "IDR", MON + timedelta(days=7), 3),
        refund("NOT-IN-RANGE", "1", "CNY", MON, 4),
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
    svg = ET.fromstring(r.svg())  # the trend chart (matplotlib), valid SVG
    assert svg.tag == f"{SVG}svg"
    assert svg.find(f"{SVG}title").text == "Cases, SLA compliance and escalation rate (weekly, UTC)"
    texts = _texts(svg)
    assert {"Cases opened per ISO week, by channel", "cases opened", "share of cases", "ISO week opened (UTC)"} <= texts
    assert {"SLA compliance", "target 95%", "escalation rate"} <= texts  # the legend
    assert _ids(svg, r"cases-\d{4}-W\d\d") == ["cases-2026-W45", "cases-2026-W46"]  # one bar per period


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


# --- no data where nothing was tracked ----------------------------------------------------------


def test_a_store_without_sla_tracking_says_no_data_not_100_percent():
    cases = [_case(i, MON + timedelta(days=i)) for i in range(10)]  # no SLA warning or breach anywhere
    r = build_report(cases, period="weekly")
    assert [p.sla_compliance for p in r.periods] == [None, None] and not r.sla_tracked
    assert [p.escalation_rate for p in r.periods] == [0.0, 0.0]  # other figures are still known
    table = r.table()
    assert "100.0%" not in table and table.count("no data") == 4  # two periods, breaches, deadlines
    data = json.loads(r.json())
    assert [p["sla_compliance"] for p in data["periods"]] == [None, None] and data["sla_tracked"] is False
    rows = [x for x in csv.DictReader(io.StringIO(r.csv())) if x["measure"] == "sla_compliance"]
    assert [x["value"] for x in rows] == ["no data", "no data"]
    pytest.importorskip("matplotlib")
    page = r.html()
    assert "SLA compliance: <strong>no data</strong>" in page
    summary = re.search(r'<table id="summary">.*?</table>', page, re.S).group(0)
    assert "100.0%" not in summary
    assert summary.count('<td class="n nodata">no data</td>') == 3  # two periods and all periods together
    sla = ET.fromstring(_charts().sla_chart(r))
    assert "SLA compliance: no data (no case carries an SLA mark)" in _texts(sla)
    # one mark anywhere, and compliance is measured for every period again (the figures of the
    # tests above)
    cases[0] = _case(0, MON, sla_warnings={"first_response": 80})
    assert [p.sla_compliance for p in build_report(cases).periods] == [1.0, 1.0]


def test_a_period_without_sla_figure_says_no_data_on_the_chart():
    charts = _charts()
    cases, outbox = busy_fortnight()
    outbox.append(_refund_at(MON + timedelta(days=14)))  # a refund in W47, where no case was opened
    r = build_report(cases, outbox)
    assert [p.period for p in r.periods][-1] == "2026-W47" and r.periods[-1].sla_compliance is None
    svg = ET.fromstring(charts.sla_chart(r, sla_target=0.9))
    assert _ids(svg, r"sla-no-data-.*") == ["sla-no-data-2026-W47"]
    assert "no data" in _texts(svg) and {"target 90%", "SLA compliance"} <= _texts(svg)
    assert _ids(svg, "sla-target") == ["sla-target"]  # the target line, labelled in the legend


# --- the charts -----------------------------------------------------------------------------------


def test_every_chart_has_titles_and_a_legend_clear_of_them():
    """Drawn for real (Agg): the legend overlaps no title and no plot area; percent axes say %."""
    charts = _charts()
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    r = build_report(*busy_fortnight())
    figures = {
        "cases": charts.cases_figure(r),
        "sla": charts.sla_figure(r),
        "escalation": charts.escalation_figure(r),
        "refunds": charts.refunds_figure(r),
        "trend": charts.trend_figure(r),
    }
    for name, fig in figures.items():
        renderer = FigureCanvasAgg(fig).get_renderer()
        fig.draw(renderer)
        axes = fig.get_axes()
        legends = [a.get_legend() for a in axes if a.get_legend()] + list(fig.legends)
        titles = [a.title for a in axes if a.get_title()] + list(fig.texts)  # fig.texts: the suptitle
        assert legends and titles, name
        assert all(a.get_ylabel() for a in axes), name  # every axis has its title
        assert axes[-1].get_xlabel() == f"ISO week {'refund decided' if name == 'refunds' else 'opened'} (UTC)", name
        for legend in legends:
            box = legend.get_window_extent(renderer)
            for t in titles:
                assert not box.overlaps(t.get_window_extent(renderer)), (name, t.get_text())
            for a in axes:
                assert not box.overlaps(a.get_window_extent(renderer)), name
        for a in axes:
            if a.get_ylabel() in ("share of cases", "cases escalated to tier 2"):
                assert all(t.get_text().endswith("%") for t in a.get_yticklabels() if t.get_text()), name


def test_charts_are_reproducible_valid_svg_with_their_ids():
    charts = _charts()
    r = build_report(*busy_fortnight())
    for draw in (
        charts.cases_chart,
        charts.sla_chart,
        charts.escalation_chart,
        charts.refunds_chart,
        charts.trend_chart,
    ):
        text = draw(r)
        assert text == draw(r)  # the same text on every run: no date, fixed ids
        ET.fromstring(text)
    assert r.svg() == charts.trend_chart(r)
    cases = ET.fromstring(charts.cases_chart(r))
    assert _ids(cases, r"cases-2026-W\d\d") == ["cases-2026-W45", "cases-2026-W46"]
    assert set(_ids(cases, r"cases-2026-W45-.*")) == {
        "cases-2026-W45-chat",
        "cases-2026-W45-email",
        "cases-2026-W45-phone",
    }
    refunds = ET.fromstring(charts.refunds_chart(r))
    assert {"amount (CNY)", "amount (IDR)", "CNY: amount paid", "IDR: amount paid"} <= _texts(refunds)
    assert any(re.fullmatch(r"\d{3},000", t) for t in _texts(refunds))  # amounts in full: 200,000, not 2 and "1e5"
    assert _ids(refunds, r"refunds-IDR-.*") == ["refunds-IDR-2026-W45", "refunds-IDR-2026-W46"]
    with pytest.raises(ValueError, match="sla_target must be a fraction"):
        r.svg(sla_target=95)


def test_charts_can_be_drawn_from_many_threads_at_once():
    """No pyplot, no shared figure: threads draw side by side and get what one thread gets."""
    from concurrent.futures import ThreadPoolExecutor

    charts = _charts()
    r = build_report(*busy_fortnight())
    alone = [charts.sla_chart(r), charts.cases_chart(r)]
    with ThreadPoolExecutor(8) as pool:
        together = list(pool.map(lambda i: (charts.sla_chart, charts.cases_chart)[i % 2](r), range(16)))
    assert together == alone * 8


def test_without_matplotlib_a_chart_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib fails
    monkeypatch.delitem(sys.modules, "caseflow.tools.charts", raising=False)
    monkeypatch.delattr(caseflow.tools, "charts", raising=False)
    r = build_report([_case(1, MON, sla_breaches={"resolution": 1})])
    for draw in (r.svg, r.html):
        with pytest.raises(CaseflowError, match=r"pip install 'caseflow\[report\]'") as e:
            draw()
        assert e.value.code == "report-needs-matplotlib"
    assert "2026-W45" in r.table() and r.json() and r.csv()  # the rest needs nothing more


def test_import_caseflow_imports_no_matplotlib():
    code = (
        "import sys, caseflow, caseflow.tools.cli\n"
        "from caseflow.tools.report import build_report\n"
        "r = build_report([]); r.table(); r.csv(); r.json()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# --- the HTML page --------------------------------------------------------------------------------


def test_the_page_is_self_contained_with_every_section():
    pytest.importorskip("matplotlib")
    cases, outbox = busy_fortnight()
    r = build_report(cases, outbox, tz="Asia/Shanghai")
    page = r.html(sla_target=0.9)
    assert page.startswith("<!DOCTYPE html>") and page == r.html(sla_target=0.9)
    for absent in ("<script", "<link", "<img", "<iframe", "@import", "url(http", 'src="', 'href="http'):
        assert absent not in page, absent  # nothing to fetch
    assert page.count("<svg ") == 4 and page.count("<?xml") == 0
    for text in (
        "weekly (ISO weeks, Monday to Sunday); times in Asia/Shanghai; 2026-11-02 to 2026-11-15 (2 weekly periods)",
        "<th>2026-W45</th>",
        "71.4%",
        "SLA target 90%",
        "300000 IDR (1)",
        "<h3>By channel</h3>",
        "<td>first_response</td>",
        "<td>seller_response</td>",
        "<h2>Top reasons</h2>",
        "<td>SKU-A</td>",
        "<td>picking_error</td>",
        "Cases opened per ISO week, by channel",
        "SLA compliance per ISO week (target 90%)",
        "Escalation rate per ISO week",
        "Refunds paid per ISO week, by currency",
    ):
        assert text in page, text
    assert '<td class="n below">71.4%</td>' in page  # under the target: marked
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "an id twice: the four charts share one page"


def test_the_page_escapes_what_it_shows():
    pytest.importorskip("matplotlib")
    case = _case(
        1,
        MON,
        case_type="wrong_item",
        request={"kind": "refund_only", "amount": "20 CNY", "reason": "wrong_item"},
        attributes={"warehouse": "<script>alert(1)</script>"},
        root_cause="a & b",
        sla_breaches={"resolution": 1},
    )
    page = build_report([case], [_refund_at(MON, currency="<b>$X</b>")]).html()
    assert "<script" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "a &amp; b" in page
    assert "&lt;b&gt;$X&lt;/b&gt;: amount paid" in page  # in the refunds chart's legend, as text


def test_the_command_writes_the_page(tmp_path, capsys):
    """``caseflow report --html`` and ``--sla-target`` (the rest of the command: test_cli.py)."""
    pytest.importorskip("matplotlib")
    from caseflow import Actor, CaseService, Workflows, open_store
    from caseflow.tools.cli import main

    url = f"sqlite:///{tmp_path}/cases.db"
    with open_store(url, upgrade=True) as store:
        svc = CaseService(store, Workflows(engine=None))
        for c in busy_fortnight()[0]:
            svc.open(c, actor=Actor(id="intake", role="system"))
    page, chart = tmp_path / "weekly.html", tmp_path / "weekly.svg"
    args = ["report", "--store", url, "--html", str(page), "--chart", str(chart), "--sla-target", "0.8"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert f"report written to {page}" in out and f"chart written to {chart}" in out
    assert "SLA compliance per ISO week (target 80%)" in page.read_text() and "target 80%" in chart.read_text()
    for bad in ("95", "0", "-0.5", "nan"):
        assert main(["report", "--store", url, "--sla-target", bad]) == 2
        assert "--sla-target" in capsys.readouterr().err
    with pytest.raises(SystemExit) as e:  # not a number: argparse's usage error
        main(["report", "--store", url, "--sla-target", "high"])
    assert e.value.code == 2
    assert main(["report", "--store", url, "--html", str(tmp_path / "weekly.pdf")]) == 2
    assert "HTML page" in capsys.readouterr().err
    assert main(["report", "--store", url, "--html", str(tmp_path / "no" / "such" / "dir.html")]) == 2
    assert "cannot write" in capsys.readouterr().err


def test_the_page_renders_in_headless_chromium(tmp_path):
    """The charts render in a real browser: the DOM holds the four SVG charts with their titles
    and axis titles, and the screenshot of the page is not blank - the bars and the lines are
    drawn in their colours."""
    pytest.importorskip("matplotlib")
    image = pytest.importorskip("PIL.Image")
    browser = chromium()
    if browser is None:
        pytest.skip("headless Chromium not found: install Debian's chromium package (apt-get install -y chromium)")
    page = tmp_path / "report.html"
    page.write_text(build_report(*busy_fortnight()).html(), encoding="utf-8")
    base = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
        "--hide-scrollbars",
    ]

    def run(*args: str, profile: str) -> subprocess.CompletedProcess[str]:
        cmd = [*base, f"--user-data-dir={tmp_path / profile}", *args, page.as_uri()]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120)

    dom = run("--dump-dom", profile="dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    html = dom.stdout
    assert html.count("<svg") == 4, html[:500]
    for text in (
        "<title>Cases opened per ISO week, by channel</title>",
        "<title>SLA compliance per ISO week (target 95%)</title>",
        "<title>Escalation rate per ISO week</title>",
        "<title>Refunds paid per ISO week, by currency</title>",
        ">cases opened</text>",
        ">share of cases</text>",
        ">ISO week opened (UTC)</text>",
        ">target 95%</text>",
        'id="cases-2026-W45"',
    ):
        assert text in html, text
    shot = tmp_path / "report.png"
    run(f"--screenshot={shot}", "--window-size=1200,3000", profile="shot")
    assert shot.exists(), "no screenshot"
    with image.open(shot) as im:
        rgb = im.convert("RGB")
        assert rgb.size == (1200, 3000)
        colours = dict((c, n) for n, c in rgb.getcolors(maxcolors=1 << 20))
    white = colours.get((255, 255, 255), 0)
    assert white < 0.97 * 1200 * 3000, "the page is blank"
    assert colours.get((0x1F, 0x77, 0xB4), 0) > 2000, "no bars of the first channel (matplotlib's tab:blue)"
    assert colours.get((0x1A, 0x7F, 0x37), 0) > 50, "no SLA compliance line"
    assert colours.get((0xCF, 0x22, 0x2E), 0) > 50, "no SLA target line"


def _refund_at(at: datetime, currency: str = "CNY"):
    return refund("R-1", "10.00", currency, at, 99)


def _charts():
    """caseflow.tools.charts, or skip where matplotlib (caseflow[report]) is not installed."""
    pytest.importorskip("matplotlib")
    from caseflow.tools import charts

    return charts


def _texts(svg: ET.Element) -> set[str]:
    return {"".join(t.itertext()).strip() for t in svg.iter(f"{SVG}text")}


def _ids(svg: ET.Element, pattern: str) -> list[str]:
    return [e.get("id") for e in svg.iter() if re.fullmatch(pattern, e.get("id") or "")]


def test_sla_figures_come_from_recorded_clocks_only():
    """Issue 15: a store without SLA tracking says 'no data', never 100 %; with tracking, every breach
    the report counts is a breach mark the store recorded."""
    from datetime import timedelta

    from caseflow import Actor, Engine, FixedClock, Workflows, load_policies
    from caseflow.sla import SlaTracker, load_calendars
    from caseflow.store import CaseService, open_store
    from caseflow.testing import make_case
    from tests.helpers import RULES

    t0 = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
    clock = FixedClock(t0)
    engine = Engine(load_policies([RULES, RULES / "sla"]), clock=clock)
    untracked = CaseService(open_store("memory://"), Workflows(engine=engine), clock=clock)
    tracked = CaseService(
        open_store("memory://"),
        Workflows(engine=engine),
        tracker=SlaTracker(engine, load_calendars(RULES / "sla" / "sla.calendars.yaml")),
        clock=clock,
    )
    for svc in (untracked, tracked):
        for i in range(4):
            case = make_case(id=f"C-{i}", channel="chat", request=None, case_type="inquiry", created_at=t0.isoformat())
            svc.open(case, actor=Actor(id="intake", role="system"), at=t0)
    tracked.run_until_idle(now=t0 + timedelta(days=1))  # nobody answers: first responses breach
    none = build_report(untracked.store.cases(), clocks=untracked.store.sla_clocks())
    assert [p.sla_compliance for p in none.periods] == [None] and "no data" in none.table()
    assert "100" not in none.table().split("SLA met")[1].split("\n")[2]
    some = build_report(tracked.store.cases(), clocks=tracked.store.sla_clocks())
    breached = {
        m.case_id for m in tracked.store.marks() if ":first_response:" in m.mark_id and m.mark_id.endswith("breach:1")
    }
    assert some.periods[0].breaches["first_response"] == len(breached) == 4
    assert some.periods[0].sla_compliance == 0.0
