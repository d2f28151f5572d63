"""CSV exports never carry a formula: a cell a spreadsheet would run gets a leading quote (OWASP),
while numbers, negative ones included, stay numbers."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest

from caseflow.tools.csvsafe import SafeWriter, safe_cell
from caseflow.tools.report import build_report
from caseflow.tools.simulate import SimulationReport

from .helpers import MON, _case, refund

ORDER = {"id": "o-1", "amount": "20 CNY", "placed_at": "2026-10-20T10:00:00+00:00"}
HOSTILE = ['=HYPERLINK("http://x")', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3+cmd|' /C calc'!A0", "\t=1", "\r=1"]


@pytest.mark.parametrize("text", HOSTILE)
def test_text_starting_like_a_formula_gets_a_leading_quote(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["-3", "-0.5", "+1", "-1e-05", "-.5", -3, -0.5, Decimal("-12.50"), 0, None, True])
def test_numbers_stay_numbers(value):
    assert safe_cell(value) is value


@pytest.mark.parametrize("value", ["refund_only", "2026-W45", "CS-20261111-0001", "", "a=b", "1+1"])
def test_other_text_is_left_alone(value):
    assert safe_cell(value) is value


@pytest.mark.parametrize("text", ["-e5", "-", "-1e", "-inf", "--3", "+-3", "-3 ", "-3;=1"])
def test_text_that_only_starts_like_a_number_is_neutralised(text):
    assert safe_cell(text) == "'" + text


def test_other_objects_are_judged_by_their_text():
    class Name:
        def __str__(self) -> str:
            return "=1+1"

    assert safe_cell(Name()) == "'=1+1"


def test_the_writer_neutralises_every_cell_it_writes():
    buf = io.StringIO()
    w = SafeWriter(csv.writer(buf, lineterminator="\n"))
    w.writerow(["@SUM(1)", -3, "-0.5"])
    w.writerows([["=1", "ok"]])
    assert list(csv.reader(io.StringIO(buf.getvalue()))) == [["'@SUM(1)", "-3", "-0.5"], ["'=1", "ok"]]


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _assert_no_formula(text: str) -> None:
    for cell in _cells(text):
        if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
            assert safe_cell(cell) is cell, cell  # a plain number, or it would be neutralised


def test_the_report_csv_neutralises_skus_reasons_causes_and_currencies():
    sku, reason, cause, currency = HOSTILE[:4]
    cases = [
        _case(
            i,
            MON + timedelta(hours=i),
            case_type="wrong_item",
            request={"kind": "refund_only", "amount": "20 CNY", "reason": reason},
            attributes={"warehouse": "=WH"},
            root_cause=cause,
            orders=[{**ORDER, "items": [{"sku": sku, "category": "apparel"}]}],
        )
        for i in (1, 2)
    ]
    outbox = [refund("R-1", "-5.00", currency, MON, 1), refund("R-2", "-0.5", "CNY", MON, 2)]
    text = build_report(cases, outbox, period="weekly").csv()
    cells = _cells(text)
    for hostile in (sku, reason, cause, currency):
        assert "'" + hostile in cells and hostile not in cells
    assert "misshipments:=WH" in cells  # not at the start of a cell: harmless
    rows = {(r["measure"], r["key"]): r["value"] for r in csv.DictReader(io.StringIO(text))}
    assert rows[("refund_amount", "'" + currency)] == "-5.00"  # a negative amount is still a number
    assert rows[("refund_amount", "CNY")] == "-0.5"
    _assert_no_formula(text)


def test_the_simulation_csv_neutralises_rule_action_and_currency_names():
    rule, action, currency, metric = HOSTILE[:4]
    report = SimulationReport(
        cases=2,
        changed=1,
        rules={rule: [1, 2]},
        actions={action: [0, 1]},
        refunds={currency: [Decimal("-3"), Decimal("-0.5")]},
        sla={metric: [1, 0]},
        against=True,
    )
    text = report.csv()
    cells = _cells(text)
    for hostile in (rule, action, currency, metric):
        assert "'" + hostile in cells and hostile not in cells
    rows = {(r["section"], r["name"]): (r["a"], r["b"]) for r in csv.DictReader(io.StringIO(text))}
    assert rows[("refund", "'" + currency)] == ("-3", "-0.5")  # negative numbers survive
    _assert_no_formula(text)
