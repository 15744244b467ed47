"""Loan products and schedule previews over the API: amounts and rates are strings, never JSON numbers."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.loans.models import LoanProduct
from apps.loans.product_terms import RepaymentFrequency
from apps.money import round_to_currency
from config.api.fields import MoneyAmountField, MoneyInputField

RATE_PATTERN = r"^[0-9]{1,3}(\.[0-9]{1,6})?$"
_RATE = re.compile(r"[0-9]{1,3}(\.[0-9]{1,6})?", re.ASCII)
MAX_TERM_INPUT = 32767


@extend_schema_field({"type": "string", "pattern": RATE_PATTERN, "maxLength": 10, "example": "9.4822",
                      "description": "An annual rate in percent as a string: up to 3 digits and 6 decimals."})
class RateInputField(serializers.Field):
    default_error_messages = {"invalid_rate": 'Give the rate in percent as a string, e.g. "9.4822".'}

    def to_internal_value(self, data: Any) -> Decimal:
        if not isinstance(data, str) or not _RATE.fullmatch(data):
            self.fail("invalid_rate")
        return Decimal(data)

    def to_representation(self, value: Decimal) -> str:
        return str(value)


@extend_schema_field({"type": "string", "format": "decimal", "example": "9.482200"})
class RateField(serializers.Field):
    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: Decimal) -> str:
        return str(value)


class LoanProductSerializer(serializers.ModelSerializer):
    minimum_amount = MoneyAmountField()
    maximum_amount = MoneyAmountField()
    minimum_rate = RateField()
    default_rate = RateField()
    maximum_rate = RateField()
    fee_value = serializers.SerializerMethodField(help_text="An amount (fixed fee) or a percentage, as a string.")
    rounding_multiple = MoneyAmountField(allow_null=True)

    class Meta:
        model = LoanProduct
        fields = ["id", "code", "name", "description", "currency", "amortization", "repayment_frequency",
                  "day_count", "due_date_rule", "minimum_amount", "maximum_amount", "minimum_term", "default_term",
                  "maximum_term", "minimum_rate", "default_rate", "maximum_rate", "principal_grace",
                  "interest_grace", "grace_interest_accrues", "fee_kind", "fee_value", "fee_treatment",
                  "rounding_multiple"]

    def get_fee_value(self, product: LoanProduct) -> str:
        if product.fee_kind == "fixed":
            return str(round_to_currency(product.fee_value, product.currency))
        return str(product.fee_value.normalize()) if product.fee_value else "0"


class SchedulePreviewInputSerializer(serializers.Serializer):
    """The loan to preview; rate, term and frequency default to the product's, the disbursement date to the
    bank's business date, the first repayment to one period after the disbursement."""

    amount = MoneyInputField()
    annual_rate = RateInputField(required=False)
    term = serializers.IntegerField(required=False, min_value=1, max_value=MAX_TERM_INPUT,
                                    help_text="The number of instalments.")
    frequency = serializers.ChoiceField(choices=RepaymentFrequency.choices, required=False)
    disbursement_date = serializers.DateField(required=False)
    first_repayment_date = serializers.DateField(required=False)


class InstalmentSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    period_start = serializers.DateField()
    period_end = serializers.DateField(help_text="The nominal date: interest runs to it.")
    due_date = serializers.DateField(help_text="The nominal date moved under the product's business-day rule.")
    principal = serializers.CharField()
    interest = serializers.CharField()
    fees = serializers.CharField()
    total = serializers.CharField()
    outstanding = serializers.CharField(help_text="Principal outstanding after this instalment.")


class ScheduleTotalsSerializer(serializers.Serializer):
    principal = serializers.CharField()
    interest = serializers.CharField()
    fees = serializers.CharField()
    total = serializers.CharField()


class SchedulePreviewSerializer(serializers.Serializer):
    product = serializers.CharField()
    currency = serializers.CharField()
    amount = serializers.CharField()
    annual_rate = serializers.CharField()
    term = serializers.IntegerField()
    frequency = serializers.CharField()
    disbursement_date = serializers.DateField()
    origination_fee = serializers.CharField()
    fee_treatment = serializers.CharField()
    principal = serializers.CharField(help_text="What is repaid: the amount, plus the fee when it is capitalised.")
    net_disbursed = serializers.CharField(help_text="What is paid out: the amount, less a deducted fee.")
    regular_instalment = serializers.CharField()
    instalments = InstalmentSerializer(many=True)
    totals = ScheduleTotalsSerializer()
