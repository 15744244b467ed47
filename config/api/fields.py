"""Serializer fields for money: an amount is a JSON string with exactly its currency's minor unit."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.ledger.money import round_to_currency


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
