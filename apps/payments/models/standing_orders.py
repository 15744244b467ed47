"""Standing orders and each of their due payments."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from apps.ledger.models import AMOUNT_FIELD
from apps.money import CURRENCY_CHOICES, format_amount
from apps.payments.models.transfers import Transfer


class StandingOrder(models.Model):
    """A recurring internal transfer the customer instructed: weekly on a weekday, or monthly on a day (the 31st
    falls on the month's last day). It ends at ``end_date`` or after ``remaining_count`` more payments. End of day
    executes what is due; when funds are short it retries on the following days and is suspended after
    ``STANDING_ORDER_MAX_ATTEMPTS`` failed attempts at one payment."""

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", "Weekly"
        MONTHLY = "monthly", "Monthly"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended (payments kept failing)"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    from_account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="standing_orders")
    to_account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(**AMOUNT_FIELD)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    reference = models.CharField(max_length=140, blank=True)
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    day_of_month = models.PositiveSmallIntegerField(null=True, blank=True)
    weekday = models.PositiveSmallIntegerField(null=True, blank=True, help_text="0 is Monday.")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    remaining_count = models.PositiveIntegerField(null=True, blank=True)
    next_due_date = models.DateField(null=True, blank=True, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="standing_order_amount_positive"),
            models.CheckConstraint(condition=~Q(from_account=F("to_account")), name="standing_order_two_accounts"),
            models.CheckConstraint(
                condition=Q(frequency="monthly", day_of_month__gte=1, day_of_month__lte=31, weekday__isnull=True)
                | Q(frequency="weekly", weekday__gte=0, weekday__lte=6, day_of_month__isnull=True),
                name="standing_order_schedule_valid"),
            models.CheckConstraint(condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                                   name="standing_order_ends_after_start"),
            models.CheckConstraint(condition=~Q(status="active") | Q(next_due_date__isnull=False),
                                   name="standing_order_active_has_next_date"),
        ]

    def __str__(self) -> str:
        return f"SO{self.pk} {format_amount(self.amount, self.currency)} {self.get_frequency_display().lower()}"


class StandingOrderExecution(models.Model):
    """One due payment of a standing order, and what happened to it (at most one row per order and due date)."""

    class Status(models.TextChoices):
        EXECUTED = "executed", "Executed"
        FAILED = "failed", "Failed (will retry)"
        ABANDONED = "abandoned", "Abandoned (order suspended)"

    order = models.ForeignKey(StandingOrder, on_delete=models.PROTECT, related_name="executions")
    due_date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_attempt_on = models.DateField()
    failure_code = models.CharField(max_length=60, blank=True)
    failure_detail = models.CharField(max_length=300, blank=True)
    transfer = models.OneToOneField(Transfer, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="standing_order_execution")
    history = HistoricalRecords()

    class Meta:
        ordering = ["order_id", "due_date"]
        constraints = [
            models.UniqueConstraint(fields=["order", "due_date"], name="one_execution_per_order_and_due_date"),
            models.CheckConstraint(condition=~Q(status="executed") | Q(transfer__isnull=False),
                                   name="executed_standing_order_has_transfer"),
        ]

    def __str__(self) -> str:
        return f"SO{self.order_id} {self.due_date} {self.status}"
