"""The bank, its branches, its staff, and maker-checker approval requests."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from apps.money import CURRENCY_CHOICES


class Bank(models.Model):
    """The institution running this back office. There is one; its business date moves only by end of day."""

    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=200)
    address = models.TextField(blank=True, help_text="The registered address, printed on statements.")
    bic = models.CharField(max_length=11, blank=True, verbose_name="BIC",
                           help_text="The bank's SWIFT/BIC code, printed on statements beside the IBAN.")
    base_currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="EUR")
    current_business_date = models.DateField()
    history = HistoricalRecords()

    class Meta:
        constraints = [models.CheckConstraint(condition=~Q(code=""), name="bank_code_not_blank")]

    def __str__(self) -> str:
        return self.name


class Branch(models.Model):
    bank = models.ForeignKey(Bank, on_delete=models.PROTECT, related_name="branches")
    code = models.CharField(max_length=16, unique=True, help_text="Short branch code, e.g. LIS01.")
    name = models.CharField(max_length=200)
    is_head_office = models.BooleanField(default=False)
    address = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    # The group of this branch's staff: object permissions on branch-scoped rows are granted to it.
    staff_group = models.OneToOneField(
        "auth.Group", on_delete=models.PROTECT, related_name="branch", null=True, blank=True, editable=False
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "branches"
        constraints = [
            models.UniqueConstraint(
                fields=["bank"], condition=Q(is_head_office=True), name="one_head_office_per_bank"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class User(AbstractUser):
    """A staff member (with a home branch) or a channel user (a customer logging into the API)."""

    home_branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, null=True, blank=True, related_name="staff"
    )
    employee_number = models.CharField(max_length=32, blank=True)
    history = HistoricalRecords(excluded_fields=["last_login", "password"])

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            models.UniqueConstraint(
                fields=["employee_number"], condition=~Q(employee_number=""), name="unique_employee_number"
            ),
        ]


class ApprovalRequest(models.Model):
    """Maker-checker: a sensitive operation waits here until a second person approves or rejects it.

    ``operation`` names an entry of apps.organization.approvals' registry; ``parameters`` are what its
    service receives (JSON: ids and decimal strings). Approving runs that service; the checker can never be
    the maker (CHECK constraint). An approval whose operation is refused when it runs ends ``failed``, with the
    refusal in words (``failure_reason``) and nothing of the operation done.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        EXPIRED = "expired", "Expired"
        # Approved, but the operation was refused when it ran (a domain error): nothing of it happened.
        FAILED = "failed", "Failed"

    operation = models.CharField(max_length=100, db_index=True)
    summary = models.CharField(max_length=300, help_text="What will happen, in words, for the checker.")
    parameters = models.JSONField(default=dict)
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    maker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    checker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING, db_index=True)
    decision_reason = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True, help_text="What the operation returned when run.")
    failure_reason = models.TextField(blank=True, help_text="Why the approved operation was refused when it ran.")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        permissions = [("decide_approvalrequest", "Can approve or reject maker-checker requests")]
        constraints = [
            models.CheckConstraint(condition=~Q(checker=models.F("maker")), name="checker_is_not_maker"),
            models.CheckConstraint(
                condition=Q(state="pending", checker__isnull=True, decided_at__isnull=True)
                | Q(state="expired", checker__isnull=True)
                | Q(state__in=["approved", "rejected", "failed"], checker__isnull=False, decided_at__isnull=False),
                name="decision_has_checker",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.operation} ({self.state})"

    def is_expired_at(self, moment: datetime.datetime) -> bool:
        return self.state == self.State.PENDING and moment >= self.expires_at


class Holiday(models.Model):
    """A day the bank is closed besides weekends: a due date falling on it moves to the next business day
    (apps.organization.business_days) for products whose rule says so."""

    date = models.DateField(unique=True)
    name = models.CharField(max_length=100)
    history = HistoricalRecords()

    class Meta:
        ordering = ["date"]
        constraints = [models.CheckConstraint(condition=~Q(name=""), name="holiday_name_not_blank")]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.name}"
