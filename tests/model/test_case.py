"""The case model: lossless JSON, field-named errors, aware times."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings

from caseflow import Case, CaseDataError, parse_case
from tests.strategies import cases


@settings(max_examples=300, deadline=None)
@given(cases())
def test_cases_round_trip_through_json_losslessly(case):
    again = Case.model_validate_json(case.model_dump_json())
    assert again == case
    assert again.model_dump_json() == case.model_dump_json()


def test_errors_name_every_invalid_field(base_case):
    base_case["orders"][0]["amount"] = "12 CNX"
    base_case["channel"] = "pigeon"
    base_case["created_at"] = "2026-11-11T09:00:00"  # no time zone
    base_case["buyer"]["nickname"] = "x"
    with pytest.raises(CaseDataError) as exc:
        parse_case(base_case, source="case.json")
    fields = {p.field for p in exc.value.problems}
    assert fields == {"orders[0].amount", "channel", "created_at", "buyer.nickname"}
    text = str(exc.value)
    assert "case.json: 4 invalid fields" in text and "time zone" in text and "unknown field" in text
    assert "CNX" in text and "ISO 4217" in text


def test_invalid_json_and_non_objects_are_clear():
    with pytest.raises(CaseDataError, match="invalid JSON"):
        parse_case("{not json")
    with pytest.raises(CaseDataError, match="expected a JSON object"):
        parse_case("[1, 2]")


def test_one_order_has_one_currency(base_case):
    base_case["orders"][0]["items"][0]["unit_price"] = "5 USD"
    with pytest.raises(CaseDataError, match="one order has one currency"):
        parse_case(base_case)


def test_parse_case_accepts_json_text(base_case):
    assert parse_case(json.dumps(base_case)).id == "C-1"
