"""Money: a Decimal with an ISO 4217 currency."""

from __future__ import annotations

from decimal import Decimal

import pytest

from caseflow import CaseflowError, Money, MoneyError


def test_money_is_decimal_with_a_currency():
    m = Money.model_validate("12.50 cny")
    assert m.amount == Decimal("12.50") and m.currency == "CNY"
    assert Money.model_validate({"amount": 0.1, "currency": "USD"}).amount == Decimal("0.1")
    with pytest.raises(ValueError):
        Money.model_validate("12.50 CNX")
    with pytest.raises(ValueError):
        assert Money(amount=Decimal("1"), currency="CNY") < Money(amount=Decimal("1"), currency="USD")


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"amount": Decimal("-1"), "currency": "CNY"}, "amount"),
        ({"amount": Decimal("NaN"), "currency": "CNY"}, "amount"),
        ({"amount": Decimal("1"), "currency": "XXQ"}, "currency"),
        ({"amount": Decimal("1")}, "currency"),
    ],
)
def test_money_built_directly_refuses_what_it_cannot_hold_with_a_caseflow_error(fields, where):
    with pytest.raises(MoneyError) as info:
        Money(**fields)
    err = info.value
    assert isinstance(err, CaseflowError) and isinstance(err, ValueError)  # pydantic callers catch ValueError
    assert [p.field for p in err.problems] == [where] and err.code == "case-invalid"
    assert "Traceback" not in str(err) and "pydantic" not in str(err)
