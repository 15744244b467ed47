from decimal import Decimal
from types import SimpleNamespace

from rest_framework import serializers

from config.api.fields import MoneyAmountField


class _Shape(serializers.Serializer):
    amount = MoneyAmountField()
    balance = MoneyAmountField(currency_attribute="account.currency")


def test_amounts_are_strings_with_the_currencys_minor_unit():
    for stored, currency, shown in [("12.3000", "EUR", "12.30"), ("1200.0000", "JPY", "1200"),
                                    ("1.2500", "KWD", "1.250"), ("-5.0000", "EUR", "-5.00")]:
        row = SimpleNamespace(amount=Decimal(stored), currency=currency,
                              balance=Decimal(stored), account=SimpleNamespace(currency=currency))
        assert _Shape(row).data == {"amount": shown, "balance": shown}
