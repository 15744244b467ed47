"""The fee schedule and the limits of internal transfers, per product, channel or customer tier."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from apps.ledger.models import AMOUNT_FIELD
from apps.money import CURRENCY_CHOICES, format_amount
from apps.payments.models.channels import Channel

RATE_FIELD = {"max_digits": 9, "decimal_places": 6}


class CustomerTier(models.TextChoices):
    STANDARD = "standard", "Standard"
    PREMIUM = "premium", "Premium"


class FeeSchedule(models.Model):
    """The fee of an internal transfer for a product and channel: fixed plus a percentage, within a min and max.

    ``product`` empty: the default for every product without its own line.
    """

    product = models.ForeignKey("accounts.DepositProduct", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="transfer_fees")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    fixed_fee = models.DecimalField(**AMOUNT_FIELD, default=Decimal("0"))
    percentage = models.DecimalField(**RATE_FIELD, default=Decimal("0"),
                                     help_text="A fraction of the amount: 0.001 is 0.1%.")
    minimum_fee = models.DecimalField(**AMOUNT_FIELD, default=Decimal("0"))
    maximum_fee = models.DecimalField(**AMOUNT_FIELD, null=True, blank=True)
    is_active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(fixed_fee__gte=0, percentage__gte=0, minimum_fee__gte=0),
                                   name="fee_schedule_not_negative"),
            models.CheckConstraint(condition=Q(maximum_fee__isnull=True) | Q(maximum_fee__gte=F("minimum_fee")),
                                   name="fee_schedule_max_above_min"),
            models.UniqueConstraint(fields=["product", "channel", "currency"], condition=Q(is_active=True),
                                    name="one_active_fee_per_product_channel", nulls_distinct=False),
        ]

    def __str__(self) -> str:
        per_cent = (self.percentage * 100).normalize()  # stored as a fraction of the amount
        return (f"{self.product or 'any product'} / {self.get_channel_display()}: "
                f"{format_amount(self.fixed_fee, self.currency)} + {per_cent:f}%")


class TransferLimit(models.Model):
    """How much may leave an account by transfer, per transaction and per business date, for a product and
    customer tier. ``product`` empty: the default."""

    product = models.ForeignKey("accounts.DepositProduct", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="transfer_limits")
    customer_tier = models.CharField(max_length=10, choices=CustomerTier.choices)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    per_transaction = models.DecimalField(**AMOUNT_FIELD)
    per_day = models.DecimalField(**AMOUNT_FIELD)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(per_transaction__gt=0, per_day__gte=F("per_transaction")),
                                   name="transfer_limit_positive_and_daily_above_single"),
            models.UniqueConstraint(fields=["product", "customer_tier", "currency"],
                                    name="one_limit_per_product_tier_currency", nulls_distinct=False),
        ]

    def __str__(self) -> str:
        return f"{self.product or 'any product'} / {self.customer_tier}: {self.per_transaction} / {self.per_day} a day"
