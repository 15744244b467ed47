from decimal import ROUND_HALF_UP, Decimal

import pytest

from apps.money import CurrencyMismatch, Money, MoneyError


def test_money_is_built_from_strings_and_decimals():
    assert Money("12.34", "EUR").amount == Decimal("12.34")
    assert Money(Decimal("5"), "EUR").amount == Decimal("5.00")
    assert Money(7, "JPY").amount == Decimal("7")


@pytest.mark.parametrize("value", [0.1, 1.0, True])
def test_money_refuses_float(value):
    with pytest.raises(MoneyError):
        Money(value, "EUR")


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "sNaN", "abc", ""])
def test_money_refuses_nan_infinity_and_garbage(value):
    with pytest.raises(MoneyError):
        Money(value, "EUR")


@pytest.mark.parametrize(("value", "currency"), [("1.234", "EUR"), ("1.5", "JPY"), ("0.0001", "KWD")])
def test_money_refuses_more_decimals_than_the_currency_has(value, currency):
    with pytest.raises(MoneyError) as refused:
        Money(value, currency)
    assert refused.value.code == "too_many_decimals"


def test_trailing_zeros_are_not_extra_decimals():
    assert Money("1.2300", "EUR").amount == Decimal("1.23")
    assert Money("1.123", "KWD").amount == Decimal("1.123")


def test_money_refuses_unknown_currency():
    with pytest.raises(MoneyError) as refused:
        Money("1", "XXX")
    assert refused.value.code == "unknown_currency"


def test_money_refuses_mixed_currencies():
    with pytest.raises(CurrencyMismatch):
        Money("1", "EUR") + Money("1", "USD")
    with pytest.raises(CurrencyMismatch):
        assert Money("1", "EUR") < Money("1", "USD")


def test_rounding_is_bankers_by_default_and_half_up_on_request():
    assert Money.rounded("0.125", "EUR").amount == Decimal("0.12")
    assert Money.rounded("0.135", "EUR").amount == Decimal("0.14")
    assert Money.rounded("0.125", "EUR", ROUND_HALF_UP).amount == Decimal("0.13")
    assert Money.rounded("2.5", "JPY").amount == Decimal("2")
    assert Money.rounded("1.23456", "BHD").amount == Decimal("1.235")


def test_rounded_still_refuses_float():
    with pytest.raises(MoneyError):
        Money.rounded(0.125, "EUR")


def test_arithmetic_keeps_the_currency_and_exactness():
    total = Money("0.10", "EUR") + Money("0.20", "EUR")
    assert total == Money("0.30", "EUR")
    assert (total - Money("0.30", "EUR")).amount == 0
    assert -Money("1.00", "EUR") == Money("-1.00", "EUR")
