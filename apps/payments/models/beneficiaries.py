"""The payees customers save."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords


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
        verbose_name_plural = "beneficiaries"
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
