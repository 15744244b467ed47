"""Payments to and from other banks, and the gateway's webhooks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from apps.ledger.models import AMOUNT_FIELD
from apps.money import CURRENCY_CHOICES, format_amount
from apps.payments.models.beneficiaries import Beneficiary


class Rail(models.TextChoices):
    INSTANT = "instant", "Instant (seconds, up to the instant-payment limit)"
    SAME_DAY = "same_day", "Same day (settled in the day's batches)"
    HIGH_VALUE = "high_value", "High value (gross settlement, large amounts)"


class PaymentSource(models.TextChoices):
    CUSTOMER = "customer", "From a customer's deposit account"
    LOAN_DISBURSEMENT = "loan_disbursement", "A loan paid out (funded by the loan portfolio)"


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
    from_account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="outgoing_payments",
                                     null=True, blank=True, help_text="None for a loan paid out.")
    source = models.CharField(max_length=20, choices=PaymentSource.choices, default=PaymentSource.CUSTOMER)
    debtor_name = models.CharField(max_length=140, blank=True, help_text="Who pays, when no payer account does.")
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
            models.CheckConstraint(
                condition=(Q(source=PaymentSource.CUSTOMER) & Q(from_account__isnull=False))
                | (Q(source=PaymentSource.LOAN_DISBURSEMENT) & Q(from_account__isnull=True) & ~Q(debtor_name="")),
                name="outgoing_payment_payer_account_or_loan"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {format_amount(self.amount, self.currency)} ({self.status})"


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
        return f"IN {self.gateway_id} {format_amount(self.amount, self.currency)}"
