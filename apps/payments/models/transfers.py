"""Internal transfers between the bank's accounts."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from apps.ledger.models import AMOUNT_FIELD
from apps.money import CURRENCY_CHOICES, format_amount
from apps.payments.models.beneficiaries import Beneficiary
from apps.payments.models.channels import Channel


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
        return f"TR{self.pk} {format_amount(self.amount, self.currency)}"
