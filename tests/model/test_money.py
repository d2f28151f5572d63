"""Money: a Decimal with an ISO 4217 currency."""

from __future__ import annotations

from decimal import Decimal

import pytest

from caseflow import Money


def test_money_is_decimal_with_a_currency():
    m = Money.model_validate("12.50 cny")
    assert m.amount == Decimal("12.50") and m.currency == "CNY"
    assert Money.model_validate({"amount": 0.1, "currency": "USD"}).amount == Decimal("0.1")
    with pytest.raises(ValueError):
        Money.model_validate("12.50 CNX")
    with pytest.raises(ValueError):
        assert Money(amount=Decimal("1"), currency="CNY") < Money(amount=Decimal("1"), currency="USD")
