"""A loan application: what a customer asks to borrow, on which product and terms, and where the request stands.

Its life: submitted (by the customer over the API, or by staff at the branch) → under review (scored, being
underwritten) → approved or rejected, or withdrawn by the customer → disbursed (the loan is booked from it, once).
The terms asked for are kept as asked; an approval may only confirm them (a changed offer is a new application).

Invariants backed by the database (CHECK):
- the amount is positive, the term at least one instalment, the rate not negative;
- declared income and obligations are not negative;
- a decided application (approved, rejected, disbursed) has its decision time; a rejected one carries its reasons;
- one idempotency key per customer: a replayed submission finds the first application.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from apps.ledger.models import AMOUNT_FIELD
from apps.loans.models.products import RATE_FIELD, LoanProduct
from apps.loans.product_terms import RepaymentFrequency
from apps.money import CURRENCY_CHOICES, format_amount


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    UNDER_REVIEW = "under_review", "Under review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"
    DISBURSED = "disbursed", "Disbursed"


DECIDED_STATUSES = (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED, ApplicationStatus.DISBURSED)
OPEN_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW)


class ApplicationChannel(models.TextChoices):
    API = "api", "Customer channel (API)"
    BRANCH = "branch", "Branch (admin)"


class LoanApplication(models.Model):
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="loan_applications")
    # The branch that owns the application (the customer's home branch when it was submitted): staff scope.
    branch = models.ForeignKey("organization.Branch", on_delete=models.PROTECT, related_name="loan_applications")
    product = models.ForeignKey(LoanProduct, on_delete=models.PROTECT, related_name="applications")
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)

    amount = models.DecimalField(**AMOUNT_FIELD)
    term = models.PositiveSmallIntegerField(help_text="In instalments.")
    annual_rate = models.DecimalField(**RATE_FIELD, help_text="Annual, in percent.")
    repayment_frequency = models.CharField(max_length=10, choices=RepaymentFrequency.choices)
    disbursement_date = models.DateField(null=True, blank=True, help_text="The business date asked for.")
    first_repayment_date = models.DateField(null=True, blank=True,
                                            help_text="Empty: one period after the disbursement.")
    purpose = models.CharField(max_length=200, blank=True)

    declared_monthly_income = models.DecimalField(**AMOUNT_FIELD)
    declared_monthly_obligations = models.DecimalField(
        **AMOUNT_FIELD, default=0, help_text="Other loans, rent, cards: what the customer pays each month.")

    status = models.CharField(max_length=14, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED)
    channel = models.CharField(max_length=8, choices=ApplicationChannel.choices)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    idempotency_key = models.CharField(max_length=200)
    decided_at = models.DateTimeField(null=True, blank=True)
    # Why it was rejected, as the customer is told: [{"code": "...", "message": "..."}, ...].
    rejection_reasons = models.JSONField(default=list, blank=True)
    # Why an open application waits, in words the customer may read (e.g. the credit bureau could not be reached).
    status_reason = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["branch", "status"]), models.Index(fields=["customer", "status"])]
        constraints = [
            models.UniqueConstraint(fields=["customer", "idempotency_key"], name="loan_application_idempotent"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="loan_application_amount_positive"),
            models.CheckConstraint(condition=Q(term__gte=1), name="loan_application_term_positive"),
            models.CheckConstraint(condition=Q(annual_rate__gte=0), name="loan_application_rate_not_negative"),
            models.CheckConstraint(condition=Q(declared_monthly_income__gte=0)
                                   & Q(declared_monthly_obligations__gte=0),
                                   name="loan_application_declared_not_negative"),
            models.CheckConstraint(condition=Q(status__in=ApplicationStatus.values),
                                   name="loan_application_status_valid"),
            models.CheckConstraint(condition=~Q(status__in=DECIDED_STATUSES) | Q(decided_at__isnull=False),
                                   name="loan_application_decided_has_time"),
            models.CheckConstraint(condition=~Q(status=ApplicationStatus.REJECTED) | ~Q(rejection_reasons=[]),
                                   name="loan_application_rejection_has_reasons"),
        ]

    def __str__(self) -> str:
        return f"Application {self.pk} · {format_amount(self.amount, self.currency)}"
