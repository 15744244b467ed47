"""How amounts read in the admin and on statements: the currency's decimals, thousands separators, the code."""

from decimal import Decimal

import pytest

from apps.money import MoneyError, format_amount
from config.admin_money import money_cell


@pytest.mark.parametrize(("amount", "currency", "shown"), [
    (Decimal("399.5000"), "EUR", "399.50 EUR"),
    (Decimal("1899.5"), "EUR", "1,899.50 EUR"),
    (Decimal("0"), "EUR", "0.00 EUR"),
    (Decimal("-1234567.10"), "EUR", "-1,234,567.10 EUR"),
    (Decimal("1500"), "JPY", "1,500 JPY"),
    (Decimal("12.345"), "KWD", "12.345 KWD"),
    ("849432.07", "EUR", "849,432.07 EUR"),
])
def test_an_amount_reads_with_its_currencys_decimals_and_thousands(amount, currency, shown):
    assert format_amount(amount, currency) == shown


def test_a_sum_with_more_digits_than_the_currency_keeps_them_so_that_a_check_shows_them():
    assert format_amount(Decimal("117.369999"), "EUR") == "117.369999 EUR"


def test_a_float_is_refused_not_shown():
    with pytest.raises(MoneyError):
        format_amount(0.1, "EUR")


def test_the_admin_cell_is_right_aligned_on_one_line_and_escaped():
    cell = money_cell(Decimal("1500.0000"), "EUR")
    assert "text-align:right" in cell and "white-space:nowrap" in cell and ">1,500.00 EUR<" in cell
    assert money_cell(None, "EUR") == "—"
