"""Serializer fields for money.

- ``MoneyAmountField`` (output): an amount as a JSON string with exactly its currency's minor unit.
- ``MoneyInputField`` (input): the one way an amount enters the API. A JSON string of ASCII digits with an optional
  decimal part of at most the currency's decimals, positive — ``"12.50"``, ``"1200"`` (JPY), ``"1.250"`` (KWD) —
  and nothing else: no JSON numbers, no exponent, no sign, no spaces or newlines, no other scripts' digits.
  It validates to a ``Money``.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.money import MINOR_UNITS, Money, round_to_currency

AMOUNT_PATTERN = r"^[0-9]+(\.[0-9]+)?$"
# Used with fullmatch, so no trailing newline slips by; at most 15 integer digits (the ledger stores 20 digits, 4 of
# them decimals, and no bank balance comes near).
_AMOUNT = re.compile(r"[0-9]{1,15}(\.[0-9]+)?", re.ASCII)
AMOUNT_MAX_LENGTH = 24

# Field error codes that name the problem: a 400 whose only failures carry one of these has it as its ``code``.
INVALID_AMOUNT = "invalid_amount"
AMOUNT_NOT_POSITIVE = "amount_not_positive"
TOO_MANY_DECIMALS = "too_many_decimals"


@extend_schema_field({"type": "string", "format": "decimal", "example": "12.30"})
class MoneyAmountField(serializers.Field):
    """Read-only: the amount as a string quantized to its currency's minor unit ("12.30" EUR, "1200" JPY,
    "1.250" KWD). The currency is read from ``currency_attribute`` of the same object (dotted paths allowed)."""

    def __init__(self, *, currency_attribute: str = "currency", **kwargs: Any) -> None:
        kwargs["read_only"] = True
        self.currency_attribute = currency_attribute
        super().__init__(**kwargs)

    def get_attribute(self, instance: Any) -> tuple[Any, str]:
        currency = instance
        for part in self.currency_attribute.split("."):
            currency = getattr(currency, part)
        return super().get_attribute(instance), currency

    def to_representation(self, value: tuple[Any, str]) -> str | None:
        amount, currency = value
        if amount is None:  # an optional amount (e.g. no overdraft limit) stays null
            return None
        # Stored amounts already have at most the currency's decimals; this only drops the storage padding.
        return str(round_to_currency(amount, currency))


@extend_schema_field({"type": "string", "pattern": AMOUNT_PATTERN, "maxLength": AMOUNT_MAX_LENGTH,
                      "example": "12.30",
                      "description": "A positive amount as a string of ASCII digits with at most the currency's "
                                     "decimals (\"12.30\" EUR, \"1200\" JPY). JSON numbers, exponents, signs and "
                                     "spaces are refused (400 `invalid_amount`)."})
class MoneyInputField(serializers.Field):
    """Write-only amount that validates to ``Money``. Its currency is the serializer context's ``currency``
    (an operation on one account: cash, holds) or else the value of the sibling field ``currency_field``."""

    default_error_messages = {
        INVALID_AMOUNT: 'Give the amount as a string of digits with an optional decimal point, e.g. "12.30".',
        AMOUNT_NOT_POSITIVE: "The amount must be positive.",
        TOO_MANY_DECIMALS: "{currency} amounts have at most {places} decimal places.",
    }

    def __init__(self, *, currency_field: str = "currency", **kwargs: Any) -> None:
        self.currency_field = currency_field
        super().__init__(**kwargs)

    def _currency(self) -> str | None:
        currency = self.context.get("currency")
        if currency is None:
            initial = getattr(self.parent, "initial_data", None)
            currency = initial.get(self.currency_field) if hasattr(initial, "get") else None
        return currency if isinstance(currency, str) and currency in MINOR_UNITS else None

    def to_internal_value(self, data: Any) -> Money | Decimal:
        if not isinstance(data, str) or len(data) > AMOUNT_MAX_LENGTH:
            self.fail(INVALID_AMOUNT)
        if data.startswith("-") and _AMOUNT.fullmatch(data[1:]):
            self.fail(AMOUNT_NOT_POSITIVE)
        if not _AMOUNT.fullmatch(data):
            self.fail(INVALID_AMOUNT)
        amount = Decimal(data)
        if amount == 0:
            self.fail(AMOUNT_NOT_POSITIVE)
        currency = self._currency()
        if currency is None:
            return amount  # the currency field reports its own error; this serializer is invalid anyway
        places = MINOR_UNITS[currency]
        if -amount.as_tuple().exponent > places:  # "1.000" EUR too: the string has the currency's decimals at most
            self.fail(TOO_MANY_DECIMALS, currency=currency, places=places)
        return Money(amount, currency)

    def to_representation(self, value: Money) -> str:
        return str(value.amount)
