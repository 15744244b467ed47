"""The review queue of payments a fraud rule held."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from apps.ledger.models import AMOUNT_FIELD
from apps.money import CURRENCY_CHOICES
from apps.payments.models.external import OutgoingPayment
from apps.payments.models.transfers import Transfer


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
