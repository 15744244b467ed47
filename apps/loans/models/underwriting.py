"""What the bank decided about a loan application, and on what evidence — each row written once, never edited:

- ``CreditBureauReport``: what the credit bureau said about the applicant (or that it could not be reached);
- ``ScoringDecision``: one run of the scorecard, with every input, its weight, its points and the result, and the
  configuration it used, so a past score can be explained (and recomputed) after the policy changed;
- ``UnderwritingRecommendation``: a loan officer's recommendation (approve or reject) with its reasons;
- ``ApplicationApproval``: one checker's approval; an application is approved when enough distinct checkers,
  none of them its underwriter, have approved it (one within a role's limit, two for the credit committee).

Invariants backed by the database (CHECK / UNIQUE): a received report has a score, an unavailable one an error;
a score is from 0 to 100; a rejecting recommendation carries reasons; a checker approves an application once.
The loans permissions of the credit process are declared here (``Meta.permissions`` of the recommendation).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from apps.loans.models.applications import LoanApplication

SCORE_FIELD = {"max_digits": 5, "decimal_places": 2}


class CreditBureauReport(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        NO_FILE = "no_file", "No credit file"        # the bureau knows nobody by these details: a thin file
        UNAVAILABLE = "unavailable", "Bureau unavailable"

    application = models.ForeignKey(LoanApplication, on_delete=models.PROTECT, related_name="bureau_reports")
    bureau = models.CharField(max_length=40)
    status = models.CharField(max_length=12, choices=Status.choices)
    reference = models.CharField(max_length=100, blank=True, help_text="The bureau's id of the report.")
    score = models.PositiveSmallIntegerField(null=True, blank=True, help_text="The bureau's score, 300 to 850.")
    open_accounts = models.PositiveSmallIntegerField(default=0)
    monthly_obligations = models.DecimalField(max_digits=20, decimal_places=4, default=0,
                                              help_text="What the applicant repays elsewhere each month.")
    defaults = models.PositiveSmallIntegerField(default=0, help_text="Loans in default on the file.")
    delinquent_accounts = models.PositiveSmallIntegerField(default=0)
    raw = models.JSONField(default=dict, blank=True, help_text="The bureau's answer as received.")
    error = models.CharField(max_length=300, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["received", "no_file", "unavailable"]),
                                   name="bureau_report_status_valid"),
            models.CheckConstraint(condition=~Q(status="received") | Q(score__isnull=False),
                                   name="bureau_report_received_has_score"),
            models.CheckConstraint(condition=~Q(status="unavailable") | ~Q(error=""),
                                   name="bureau_report_unavailable_has_error"),
            models.CheckConstraint(condition=Q(score__isnull=True) | Q(score__gte=300, score__lte=850),
                                   name="bureau_report_score_range"),
            models.CheckConstraint(condition=Q(monthly_obligations__gte=0), name="bureau_report_obligations_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.bureau} report #{self.pk} ({self.status})"


class ScoringOutcome(models.TextChoices):
    APPROVE = "approve", "Approve"              # at or above the approval score, no knock-out
    REFER = "refer", "Refer to underwriter"     # in between: the underwriter judges
    DECLINE = "decline", "Decline"              # below the referral score, or a knock-out rule
    INCOMPLETE = "incomplete", "Incomplete"     # an input is missing (the bureau was down): score again later


class ScoringDecision(models.Model):
    application = models.ForeignKey(LoanApplication, on_delete=models.PROTECT, related_name="scoring_decisions")
    bureau_report = models.ForeignKey(CreditBureauReport, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+")
    inputs = models.JSONField(help_text="Each input: its name, value, weight, points and explanation.")
    configuration = models.JSONField(help_text="The weights and thresholds the scorecard used.")
    knockouts = models.JSONField(default=list, blank=True, help_text="Rules that decline whatever the score.")
    score = models.DecimalField(**SCORE_FIELD)
    outcome = models.CharField(max_length=12, choices=ScoringOutcome.choices)
    instalment = models.DecimalField(max_digits=20, decimal_places=4,
                                     help_text="The new loan's regular instalment, from the schedule engine.")
    business_date = models.DateField()
    # Empty: the automatic scoring that follows a submission; otherwise the staff member who scored it again.
    performed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    performed_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-performed_at", "-id"]
        indexes = [models.Index(fields=["application", "-id"])]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=100), name="scoring_decision_score_0_100"),
            models.CheckConstraint(condition=Q(outcome__in=ScoringOutcome.values), name="scoring_decision_outcome"),
        ]

    def __str__(self) -> str:
        return f"Scoring #{self.pk}: {self.score} -> {self.outcome}"


class Recommendation(models.TextChoices):
    APPROVE = "approve", "Approve"
    REJECT = "reject", "Reject"


class UnderwritingRecommendation(models.Model):
    application = models.ForeignKey(LoanApplication, on_delete=models.PROTECT, related_name="recommendations")
    scoring_decision = models.ForeignKey(ScoringDecision, on_delete=models.PROTECT, related_name="+")
    underwriter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recommendation = models.CharField(max_length=8, choices=Recommendation.choices)
    # [{"code": "...", "message": "..."}]: why, in the words the customer is told when it ends in a rejection.
    reasons = models.JSONField(default=list, blank=True)
    note = models.TextField(blank=True, help_text="For the checkers; never shown to the customer.")
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(recommendation__in=Recommendation.values),
                                   name="underwriting_recommendation_valid"),
            models.CheckConstraint(condition=~Q(recommendation="reject") | ~Q(reasons=[]),
                                   name="underwriting_reject_has_reasons"),
        ]
        permissions = [
            ("underwrite_loanapplication", "Can underwrite loan applications (recommend approval or rejection)"),
            ("approve_loanapplication", "Can approve loan applications within the role's limit"),
            ("sit_on_credit_committee", "Can approve loan applications above every role's limit, as one of two"),
            ("reject_loanapplication", "Can reject loan applications"),
        ]

    def __str__(self) -> str:
        return f"{self.get_recommendation_display()} application {self.application_id}"


class ApplicationApproval(models.Model):
    application = models.ForeignKey(LoanApplication, on_delete=models.PROTECT, related_name="approvals")
    recommendation = models.ForeignKey(UnderwritingRecommendation, on_delete=models.PROTECT, related_name="approvals")
    checker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The authority it was given under: "loan_officer", "branch_manager" or "credit_committee".
    authority = models.CharField(max_length=20)
    approved_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["approved_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["recommendation", "checker"], name="application_approval_once"),
        ]

    def __str__(self) -> str:
        return f"Approval of application {self.application_id} by {self.checker_id}"
