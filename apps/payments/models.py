"""Payments: internal transfers between the bank's accounts, their fee schedule and limits.

Invariants backed by the database: amounts and fees are positive or zero (CHECK), a transfer's accounts differ
(CHECK), a transfer is one journal entry (UNIQUE one-to-one), an idempotency key is used once per initiator
(UNIQUE), at most one active fee schedule and one limit per product, channel/tier and currency (UNIQUE).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from apps.ledger.models import AMOUNT_FIELD
from apps.money import CURRENCY_CHOICES

RATE_FIELD = {"max_digits": 9, "decimal_places": 6}


class Channel(models.TextChoices):
    API = "api", "Web and mobile (API)"
    BRANCH = "branch", "Branch (staff, admin)"
    STANDING_ORDER = "standing_order", "Standing order"


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
        return f"{self.product or 'any product'} / {self.get_channel_display()}: {self.fixed_fee} + {self.percentage}"


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


class Beneficiary(models.Model):
    """A payee a customer saved: an account at this bank or an IBAN at another bank.

    Large payments to a beneficiary saved less than ``BENEFICIARY_COOLING_OFF_HOURS`` ago are refused (the
    cooling-off period). Removing one keeps the row (``removed_at``): payments and fraud decisions still point
    at it, and saving the same account again starts a new cooling-off period.
    """

    owner = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="beneficiaries")
    name = models.CharField(max_length=140)
    account_identifier = models.CharField(max_length=34, help_text="An account number of this bank or an IBAN.")
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2 country of the payee's bank.")
    bank_name = models.CharField(max_length=140, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "account_identifier"], condition=Q(removed_at__isnull=True),
                                    name="beneficiary_saved_once_per_owner"),
            models.CheckConstraint(condition=Q(country__regex=r"^[A-Z]{2}$"), name="beneficiary_country_alpha2"),
            models.CheckConstraint(condition=Q(account_identifier__regex=r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}$"),
                                   name="beneficiary_account_identifier_normalized"),
            models.CheckConstraint(condition=Q(removed_at__isnull=True, removed_by__isnull=True)
                                   | Q(removed_at__isnull=False, removed_by__isnull=False),
                                   name="beneficiary_removal_recorded"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.account_identifier})"


class Transfer(models.Model):
    """An internal transfer: one balanced journal entry moving ``amount`` and charging ``fee``.

    Held by a fraud rule, it has no entry yet: the amount and fee are reserved by an account ``hold`` until a
    compliance officer releases it (the entry is posted) or rejects it (the hold is released, nothing posted).
    A completed transfer whose entry is reversed reads ``reversed``, with the ``reversal_entry``.
    """

    class Status(models.TextChoices):
        COMPLETED = "completed", "Completed"
        HELD = "held", "Held for review"
        REJECTED = "rejected", "Rejected in review"
        REVERSED = "reversed", "Reversed"

    # No index of its own: the (from_account, business_date) index serves it (one index less to write per transfer).
    from_account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="transfers_out",
                                     db_index=False)
    to_account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="transfers_in")
    amount = models.DecimalField(**AMOUNT_FIELD)
    fee = models.DecimalField(**AMOUNT_FIELD, default=Decimal("0"))
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    reference = models.CharField(max_length=140, blank=True, help_text="The payer's words for the payee.")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    business_date = models.DateField(db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.COMPLETED)
    entry = models.OneToOneField("ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="transfer")
    reversal_entry = models.OneToOneField("ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True,
                                          related_name="reversed_transfer",
                                          help_text="The entry that reversed this transfer's entry.")
    hold = models.OneToOneField("accounts.Hold", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                help_text="The funds reserved while the transfer is held for review.")
    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # No index of its own: the unique (initiated_by, idempotency_key) index serves it.
    initiated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     db_index=False)
    idempotency_key = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    # History is read per transfer (by id), by date and by who; its copies of the links need no index, and every
    # index here is one more write on the bank's busiest path.
    history = HistoricalRecords(no_db_index=["business_date", "entry", "hold", "beneficiary", "initiated_by",
                                             "from_account", "to_account", "reversal_entry"])

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["from_account", "business_date"])]
        permissions = [("request_large_payment",
                        "Can initiate payments above the staff threshold (they wait for a checker)")]
        constraints = [
            models.CheckConstraint(condition=Q(status="completed", entry__isnull=False)
                                   | Q(status="reversed", entry__isnull=False)
                                   | Q(status__in=["held", "rejected"], entry__isnull=True),
                                   name="transfer_entry_only_when_completed"),
            models.CheckConstraint(condition=Q(status="reversed", reversal_entry__isnull=False)
                                   | (~Q(status="reversed") & Q(reversal_entry__isnull=True)),
                                   name="transfer_reversed_has_reversal_entry"),
            models.CheckConstraint(condition=~Q(status="held") | Q(hold__isnull=False),
                                   name="held_transfer_reserves_funds"),
            models.CheckConstraint(condition=Q(amount__gt=0) & Q(fee__gte=0), name="transfer_amounts_valid"),
            models.CheckConstraint(condition=~Q(from_account=F("to_account")), name="transfer_between_two_accounts"),
            models.UniqueConstraint(fields=["initiated_by", "idempotency_key"], name="transfer_idempotency_key"),
        ]

    def __str__(self) -> str:
        return f"TR{self.pk} {self.amount} {self.currency}"


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
        return f"SO{self.pk} {self.amount} {self.currency} {self.get_frequency_display().lower()}"


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


class Rail(models.TextChoices):
    INSTANT = "instant", "Instant (seconds, up to the instant-payment limit)"
    SAME_DAY = "same_day", "Same day (settled in the day's batches)"
    HIGH_VALUE = "high_value", "High value (gross settlement, large amounts)"


class OutgoingPayment(models.Model):
    """A payment to another bank over a rail, through a gateway.

    initiated (funds moved from the customer's account to payments clearing, one entry) -> submitted (the
    gateway accepted it) -> settled (clearing -> settlement account); or rejected/failed, when the initiation
    entry is reversed and the funds return. ``reference`` is ours and the gateway's idempotency key.
    """

    class Status(models.TextChoices):
        HELD = "held", "Held for review (funds in clearing, not submitted)"
        INITIATED = "initiated", "Initiated"
        SUBMITTED = "submitted", "Submitted to the gateway"
        SETTLED = "settled", "Settled"
        REJECTED = "rejected", "Rejected by the gateway"
        FAILED = "failed", "Failed after acceptance"

    FINAL_STATUSES = (Status.SETTLED, Status.REJECTED, Status.FAILED)

    reference = models.CharField(max_length=40, unique=True)
    from_account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="outgoing_payments")
    amount = models.DecimalField(**AMOUNT_FIELD)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    rail = models.CharField(max_length=12, choices=Rail.choices)
    creditor_name = models.CharField(max_length=140)
    creditor_account = models.CharField(max_length=34, help_text="The creditor's IBAN, compact.")
    creditor_bic = models.CharField(max_length=11, blank=True, default="", help_text="The creditor bank's BIC.")
    creditor_country = models.CharField(max_length=2)
    remittance_information = models.CharField(max_length=140, blank=True)
    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.INITIATED, db_index=True)
    gateway = models.CharField(max_length=30, default="velocitypay")
    gateway_id = models.CharField(max_length=64, blank=True)
    outcome_unknown = models.BooleanField(default=False, help_text="The last submission timed out after sending.")
    failure_reason = models.CharField(max_length=300, blank=True)
    initiation_entry = models.OneToOneField("ledger.JournalEntry", on_delete=models.PROTECT, related_name="+")
    settlement_entry = models.OneToOneField("ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True,
                                            related_name="+")
    return_entry = models.OneToOneField("ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="+")
    initiated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=255)
    business_date = models.DateField()
    submission_attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "last_checked_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="outgoing_payment_amount_positive"),
            models.UniqueConstraint(fields=["initiated_by", "idempotency_key"], name="outgoing_payment_idempotency"),
            models.CheckConstraint(condition=~Q(status="settled") | Q(settlement_entry__isnull=False),
                                   name="settled_payment_has_settlement_entry"),
            models.CheckConstraint(condition=~Q(status__in=["rejected", "failed"]) | Q(return_entry__isnull=False),
                                   name="returned_payment_has_return_entry"),
            models.CheckConstraint(condition=Q(settlement_entry__isnull=True) | Q(return_entry__isnull=True),
                                   name="payment_never_settled_and_returned"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount} {self.currency} ({self.status})"


class GatewayEvent(models.Model):
    """A webhook the gateway sent, kept once by its event id: a duplicate delivery is recognised and ignored."""

    gateway = models.CharField(max_length=30)
    event_id = models.CharField(max_length=100)
    event_type = models.CharField(max_length=60)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["gateway", "event_id"], name="gateway_event_once")]

    def __str__(self) -> str:
        return f"{self.gateway} {self.event_type} {self.event_id}"


class IncomingPayment(models.Model):
    """A payment from another bank, credited to the beneficiary's account through payments clearing."""

    gateway = models.CharField(max_length=30)
    gateway_id = models.CharField(max_length=64)
    to_account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="incoming_payments")
    amount = models.DecimalField(**AMOUNT_FIELD)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    debtor_name = models.CharField(max_length=140, blank=True)
    debtor_account = models.CharField(max_length=34, blank=True)
    remittance_information = models.CharField(max_length=140, blank=True)
    entry = models.OneToOneField("ledger.JournalEntry", on_delete=models.PROTECT, related_name="+")
    business_date = models.DateField()
    received_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="incoming_payment_amount_positive"),
            models.UniqueConstraint(fields=["gateway", "gateway_id"], name="incoming_payment_once"),
        ]

    def __str__(self) -> str:
        return f"IN {self.gateway_id} {self.amount} {self.currency}"


# Kinds of fraud rule whose parameters hold an amount: such a rule is in one currency.
KINDS_WITH_AN_AMOUNT = ["new_beneficiary_large_amount"]


class FraudRule(models.Model):
    """A rule checked before a payment to someone else is accepted; compliance keeps them in the admin.

    ``parameters`` by kind (validated in ``clean``, see ``FRAUD_RULE_PARAMETERS``):

    - velocity: ``{"max_payments": N, "window_minutes": M}`` fires on more than N payments in M minutes by the
      same customer (this one included);
    - unusual_amount: ``{"multiple": "5", "history_size": K, "minimum_history": H}`` fires when the amount is
      more than ``multiple`` times the average of the customer's last K payments in the payment's currency,
      once they have at least H;
    - new_beneficiary_large_amount: ``{"max_age_hours": H, "amount_above": "A"}`` fires when the payee was saved
      less than H hours ago (or is not saved at all) and the amount is above A;
    - high_risk_country: ``{"countries": ["KP", "IR"]}`` fires when the payee's bank is in one of them.

    A rule with an amount (``KINDS_WITH_AN_AMOUNT``) has the ``currency`` of that amount and checks only payments
    in it (1,000 EUR and 1,000 JPY are different payments: a bank sets one rule per currency); the other kinds
    have none and check payments in every currency.
    """

    class Kind(models.TextChoices):
        VELOCITY = "velocity", "Velocity (too many payments in a window)"
        UNUSUAL_AMOUNT = "unusual_amount", "Amount far above the customer's usual"
        NEW_BENEFICIARY_LARGE_AMOUNT = "new_beneficiary_large_amount", "Large amount to a new beneficiary"
        HIGH_RISK_COUNTRY = "high_risk_country", "High-risk destination country"

    class Action(models.TextChoices):
        BLOCK = "block", "Block (refuse the payment)"
        HOLD = "hold", "Hold for review"

    name = models.CharField(max_length=100, unique=True, help_text="Shown to the customer when it blocks.")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    parameters = models.JSONField(default=dict)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, blank=True,
                                help_text="Rules with an amount (large amount to a new beneficiary): the currency "
                                          "of that amount; the rule checks only payments in it. Empty for the "
                                          "other kinds, which check payments in every currency.")
    action = models.CharField(max_length=10, choices=Action.choices)
    is_active = models.BooleanField(default=True)
    priority = models.PositiveSmallIntegerField(default=100, help_text="Lower numbers are evaluated first.")
    description = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["priority", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["velocity", "unusual_amount", "new_beneficiary_large_amount",
                                                         "high_risk_country"]), name="fraud_rule_kind_known"),
            models.CheckConstraint(condition=Q(action__in=["block", "hold"]), name="fraud_rule_action_known"),
            models.CheckConstraint(condition=Q(kind__in=KINDS_WITH_AN_AMOUNT) & ~Q(currency="")
                                   | ~Q(kind__in=KINDS_WITH_AN_AMOUNT) & Q(currency=""),
                                   name="fraud_rule_currency_only_with_an_amount"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind}, {self.action}{', ' + self.currency if self.currency else ''})"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from apps.payments.fraud_parameters import ParameterError, validated_parameters

        errors = {}
        try:
            self.parameters = validated_parameters(self.kind, self.parameters)
        except ParameterError as error:
            errors["parameters"] = str(error)
        if self.kind in KINDS_WITH_AN_AMOUNT and not self.currency:
            errors["currency"] = "Give the currency of the rule's amount: it checks only payments in it."
        elif self.kind not in KINDS_WITH_AN_AMOUNT and self.currency:
            errors["currency"] = "Only a rule with an amount has a currency; this kind checks every currency."
        if errors:
            raise ValidationError(errors)


class PaymentReview(models.Model):
    """A payment a fraud rule held, waiting in the review queue for a compliance officer's decision."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending review"
        RELEASED = "released", "Released"
        REJECTED = "rejected", "Rejected"
        EXPIRED = "expired", "Expired undecided"  # by end of day, after PAYMENT_REVIEW_DEADLINE_DAYS

    transfer = models.OneToOneField(Transfer, on_delete=models.PROTECT, null=True, blank=True, related_name="review")
    outgoing_payment = models.OneToOneField(OutgoingPayment, on_delete=models.PROTECT, null=True, blank=True,
                                            related_name="review")
    from_account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(**AMOUNT_FIELD)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    rules_fired = models.CharField(max_length=300)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(max_length=300, blank=True)
    # The business date on which the payment was held: the review deadline counts from it, not from the wall
    # clock, which can differ from the bank's date (a catch-up, a bank whose date lags the calendar).
    held_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["held_on"], condition=Q(status="pending"), name="payment_review_pending")]
        permissions = [("review_payment", "Can release or reject payments held by fraud rules")]
        constraints = [
            models.CheckConstraint(condition=Q(transfer__isnull=False, outgoing_payment__isnull=True)
                                   | Q(transfer__isnull=True, outgoing_payment__isnull=False),
                                   name="payment_review_one_payment"),
            models.CheckConstraint(condition=Q(status="pending", decided_by__isnull=True, decided_at__isnull=True)
                                   | (Q(status__in=["released", "rejected"], decided_by__isnull=False,
                                        decided_at__isnull=False) & ~Q(decision_reason=""))
                                   | (Q(status="expired", decided_by__isnull=True, decided_at__isnull=False)
                                      & ~Q(decision_reason="")),
                                   name="payment_review_decision_recorded"),
        ]

    def __str__(self) -> str:
        payment = f"TR{self.transfer_id}" if self.transfer_id else f"payment {self.outgoing_payment_id}"
        return f"Review of {payment} ({self.status})"


class FraudDecision(models.Model):
    """A fraud rule that fired on a payment, with the figures that made it fire. Blocked payments leave only
    this row (recorded in its own transaction, the payment's having been rolled back); held ones point at the
    payment."""

    class PaymentKind(models.TextChoices):
        TRANSFER = "transfer", "Internal transfer"
        OUTGOING_PAYMENT = "outgoing_payment", "Outgoing payment"

    rule = models.ForeignKey(FraudRule, on_delete=models.PROTECT, related_name="decisions")
    action = models.CharField(max_length=10, choices=FraudRule.Action.choices)
    payment_kind = models.CharField(max_length=20, choices=PaymentKind.choices)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+")
    from_account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="+")
    destination = models.CharField(max_length=34)
    amount = models.DecimalField(**AMOUNT_FIELD)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    initiated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=255)
    figures = models.JSONField(default=dict, help_text="The inputs and thresholds that made the rule fire.")
    transfer = models.ForeignKey(Transfer, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="fraud_decisions")
    outgoing_payment = models.ForeignKey(OutgoingPayment, on_delete=models.PROTECT, null=True, blank=True,
                                         related_name="fraud_decisions")
    decided_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(action__in=["block", "hold"]), name="fraud_decision_action_known"),
            models.CheckConstraint(condition=~Q(action="block") | Q(transfer__isnull=True,
                                                                    outgoing_payment__isnull=True),
                                   name="blocked_payment_was_not_recorded"),
            models.CheckConstraint(condition=Q(transfer__isnull=True) | Q(outgoing_payment__isnull=True),
                                   name="fraud_decision_at_most_one_payment"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.action} {self.amount} {self.currency}"
