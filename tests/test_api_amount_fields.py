"""Every amount the API answers with is a MoneyAmountField: a string with exactly its currency's minor unit.
This walks every serializer of the project (the URLconf imports them all) and fails on a readable
DecimalField or FloatField, which would answer "500.0000" for EUR or "1200.00" for JPY."""

import importlib

from django.conf import settings
from rest_framework import serializers

# Decimal fields that are not money (they carry their own precision): none today. Add "Serializer.field" here
# only for a rate or a score, never for an amount.
NOT_MONEY: set[str] = set()


def _project_serializers() -> list[type[serializers.BaseSerializer]]:
    importlib.import_module(settings.ROOT_URLCONF)
    found, todo = [], [serializers.BaseSerializer]
    while todo:
        for subclass in todo.pop().__subclasses__():
            todo.append(subclass)
            if subclass.__module__.startswith(("apps.", "config.")) and ".tests" not in subclass.__module__:
                found.append(subclass)
    return found


def _readable_decimals(serializer: serializers.BaseSerializer, path: str) -> list[str]:
    if isinstance(serializer, serializers.ListSerializer):
        return _readable_decimals(serializer.child, path)
    offending = []
    for name, field in serializer.fields.items():
        where = f"{path}.{name}"
        if isinstance(field, serializers.BaseSerializer):
            offending += _readable_decimals(field, where)
        elif isinstance(field, serializers.ListField) and isinstance(field.child, serializers.BaseSerializer):
            offending += _readable_decimals(field.child, where)
        elif isinstance(field, (serializers.DecimalField, serializers.FloatField)) and not field.write_only \
                and where not in NOT_MONEY:
            offending.append(where)
    return offending


def test_the_walk_finds_the_api_serializers():
    names = {cls.__name__ for cls in _project_serializers()}
    assert {"TransferSerializer", "HoldSerializer", "PostingSerializer", "LedgerAccountSerializer",
            "OutgoingPaymentSerializer", "PaymentReviewSerializer", "AccountSerializer"} <= names


def test_no_api_serializer_answers_an_amount_with_a_raw_decimal_field(db):
    offending = []
    for cls in _project_serializers():
        offending += _readable_decimals(cls(), f"{cls.__module__}.{cls.__name__}")
    assert offending == []
