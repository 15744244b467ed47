"""What monitoring looks at: one row per customer side of a money movement, recorded after the movement commits.

A transfer between two customers of the bank is two rows (the payer's "out", the payee's "in"); a cash deposit is
one. The row keeps the facts the typologies need as they were when the money moved (the counterparty, its
country, how long the account had been idle), so a later change to an account or a customer does not rewrite
what was evaluated. Rows are never edited except for the evaluation mark.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from apps.ledger.models import AMOUNT_FIELD
from apps.money import CURRENCY_CHOICES


class MovementKind(models.TextChoices):
    CASH_DEPOSIT = "cash_deposit", "Cash deposit"
    CASH_WITHDRAWAL = "cash_withdrawal", "Cash withdrawal"
    TRANSFER = "transfer", "Transfer within the bank"
    INCOMING_PAYMENT = "incoming_payment", "Incoming payment from another bank"
    OUTGOING_PAYMENT = "outgoing_payment", "Outgoing payment to another bank"
    LOAN_DISBURSEMENT = "loan_disbursement", "Loan disbursement"
    LOAN_REPAYMENT = "loan_repayment", "Loan repayment"


class Channel(models.TextChoices):
    CASH = "cash", "Cash"
    INTERNAL = "internal", "Within the bank"
    EXTERNAL = "external", "Another bank"
    LOAN = "loan", "Loan"


CHANNEL_OF_KIND = {
    MovementKind.CASH_DEPOSIT: Channel.CASH, MovementKind.CASH_WITHDRAWAL: Channel.CASH,
    MovementKind.TRANSFER: Channel.INTERNAL,
    MovementKind.INCOMING_PAYMENT: Channel.EXTERNAL, MovementKind.OUTGOING_PAYMENT: Channel.EXTERNAL,
    MovementKind.LOAN_DISBURSEMENT: Channel.LOAN, MovementKind.LOAN_REPAYMENT: Channel.LOAN,
}


class Direction(models.TextChoices):
    IN = "in", "Into the account"
    OUT = "out", "Out of the account"


class MonitoredTransaction(models.Model):
    entry = models.ForeignKey("ledger.JournalEntry", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=MovementKind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    direction = models.CharField(max_length=3, choices=Direction.choices)
    # No database foreign key to the account (nor the counterparty's, nor the customer): PostgreSQL checks one by
    # taking FOR KEY SHARE on the referenced row until the recording commits, and a payment's FOR UPDATE on that
    # account would wait for monitoring (or deadlock with it: a transfer's two legs lock two accounts). Monitoring
    # must never block a payment; the ids come from a committed journal entry's accounts, which are never deleted.
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+",
                                 db_constraint=False)
    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="+", db_constraint=False)
    branch = models.ForeignKey("organization.Branch", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", help_text="Where cash changed hands (cash only).")
    amount = models.DecimalField(**AMOUNT_FIELD)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    # The other side: a stable key the fan-in/fan-out typologies count ("account:<id>", "iban:<IBAN>",
    # "loan:<id>"; empty for cash), and what the officer reads.
    counterparty_key = models.CharField(max_length=80, blank=True)
    counterparty_name = models.CharField(max_length=200, blank=True)
    counterparty_account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, null=True, blank=True,
                                             related_name="+", help_text="When the other side banks here.",
                                             db_constraint=False)
    counterparty_iban = models.CharField(max_length=34, blank=True)
    counterparty_country = models.CharField(max_length=2, blank=True,
                                            help_text="ISO 3166-1 alpha-2 of the other bank (external only).")
    business_date = models.DateField(db_index=True)
    occurred_at = models.DateTimeField()
    account_idle_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="Days since the account's previous customer movement (empty: its first).")
    recorded_at = models.DateTimeField(auto_now_add=True)
    evaluated_at = models.DateTimeField(null=True, blank=True,
                                        help_text="When every real-time typology evaluated it without error.")

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [
            models.Index(fields=["customer", "currency", "occurred_at"], name="monitored_by_customer_time"),
            models.Index(fields=["recorded_at"], condition=Q(evaluated_at__isnull=True),
                         name="monitored_not_evaluated"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["entry", "account", "direction"], name="monitored_once_per_leg"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="monitored_amount_positive"),
            models.CheckConstraint(condition=Q(direction__in=["in", "out"]), name="monitored_direction_known"),
            models.CheckConstraint(condition=Q(channel__in=["cash", "internal", "external", "loan"]),
                                   name="monitored_channel_known"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} {self.currency} ({self.direction}) #{self.pk}"


class ExpectedActivity(models.Model):
    """What the customer told the bank to expect (at onboarding or a KYC review): the profile-deviation
    typology compares movements with it as well as with the customer's own history."""

    customer = models.OneToOneField("customers.Customer", on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    declared_monthly_income = models.DecimalField(**AMOUNT_FIELD, null=True, blank=True)
    expected_monthly_turnover = models.DecimalField(**AMOUNT_FIELD, null=True, blank=True,
                                                    help_text="Money expected in and out per month.")
    business_activity = models.CharField(max_length=200, blank=True,
                                         help_text="Occupation or line of business, in words.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "expected activities"
        constraints = [
            models.CheckConstraint(condition=Q(declared_monthly_income__isnull=True)
                                   | Q(declared_monthly_income__gte=0), name="expected_income_not_negative"),
            models.CheckConstraint(condition=Q(expected_monthly_turnover__isnull=True)
                                   | Q(expected_monthly_turnover__gte=0), name="expected_turnover_not_negative"),
        ]

    def __str__(self) -> str:
        return f"Expected activity of customer {self.customer_id}"


class EvaluationSchedule(models.TextChoices):
    REALTIME = "realtime", "Near-real-time (one movement)"
    END_OF_DAY = "end_of_day", "End of day (one customer's window)"


class EvaluationFailure(models.Model):
    """A typology that raised while evaluating: one movement (near-real-time) or one customer's window on one
    business date (end of day). It stays open until a retry evaluates the same thing without error, which marks
    it resolved; while it is open, the movement stays unevaluated (``evaluated_at`` empty) and the end of day
    reports it. Never deleted: the record of what failed and how often."""

    schedule = models.CharField(max_length=10, choices=EvaluationSchedule.choices)
    typology = models.CharField(max_length=40)
    setting = models.ForeignKey("compliance.TypologySetting", on_delete=models.PROTECT, related_name="+")
    transaction = models.ForeignKey(MonitoredTransaction, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="evaluation_failures", help_text="Near-real-time only.")
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+")
    business_date = models.DateField(help_text="The movement's business date, or the end of day's.")
    attempts = models.PositiveIntegerField(default=1)
    last_error = models.TextField()
    first_failed_at = models.DateTimeField(auto_now_add=True)
    last_failed_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["first_failed_at", "id"]
        indexes = [models.Index(fields=["business_date"], condition=Q(resolved_at__isnull=True),
                                name="evaluation_failure_open")]
        constraints = [
            models.UniqueConstraint(fields=["setting", "transaction"], condition=Q(schedule="realtime"),
                                    name="evaluation_failure_once_per_movement"),
            models.UniqueConstraint(fields=["setting", "customer", "business_date"],
                                    condition=Q(schedule="end_of_day"), name="evaluation_failure_once_per_window"),
            models.CheckConstraint(condition=Q(schedule="realtime", transaction__isnull=False)
                                   | Q(schedule="end_of_day", transaction__isnull=True),
                                   name="evaluation_failure_names_what_failed"),
            models.CheckConstraint(condition=Q(attempts__gte=1), name="evaluation_failure_attempted"),
        ]

    def __str__(self) -> str:
        return f"{self.typology} failed ({self.schedule}) for customer {self.customer_id} on {self.business_date}"
