"""Alerts raised by the typologies, the cases they are grouped into (one open case per customer), the officers'
notes, and suppressions.

An alert keeps its evidence as it was when it was raised: the transactions' facts are copied into ``evidence``,
so the case reads the same whatever happens later to the accounts. A shadow alert (raised by a setting in
shadow mode) and a suppressed alert are recorded but join no case.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class AlertDisposition(models.TextChoices):
    QUEUED = "queued", "In the queue (grouped into a case)"
    SHADOW = "shadow", "Shadow (not in the queue)"
    SUPPRESSED = "suppressed", "Suppressed"


class Alert(models.Model):
    typology = models.CharField(max_length=40, db_index=True)
    typology_version = models.PositiveIntegerField()
    setting = models.ForeignKey("compliance.TypologySetting", on_delete=models.PROTECT, related_name="alerts")
    setting_revision = models.PositiveIntegerField()
    disposition = models.CharField(max_length=10, choices=AlertDisposition.choices)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("compliance.Case", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="alerts")
    suppression = models.ForeignKey("compliance.Suppression", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="alerts")
    trigger = models.ForeignKey("compliance.MonitoredTransaction", on_delete=models.PROTECT, related_name="+",
                                help_text="The movement at which the pattern was complete.")
    transactions = models.ManyToManyField("compliance.MonitoredTransaction", related_name="alerts")
    score = models.PositiveSmallIntegerField(help_text="0-100.")
    summary = models.CharField(max_length=300)
    facts = models.JSONField(default=dict, help_text="The figures that made the typology fire.")
    evidence = models.JSONField(default=list, help_text="The transactions as they were when the alert was raised.")
    business_date = models.DateField(help_text="The business date of detection.")
    detected_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-detected_at", "-id"]
        indexes = [models.Index(fields=["typology", "business_date"], name="alert_typology_date")]
        constraints = [
            # Evaluating a movement (or a business date) again raises nothing new.
            models.UniqueConstraint(fields=["setting", "trigger"], name="alert_once_per_setting_and_trigger"),
            models.CheckConstraint(condition=Q(disposition__in=["queued", "shadow", "suppressed"]),
                                   name="alert_disposition_known"),
            models.CheckConstraint(condition=Q(disposition="queued", case__isnull=False)
                                   | ~Q(disposition="queued") & Q(case__isnull=True),
                                   name="alert_in_case_when_queued"),
            models.CheckConstraint(condition=Q(disposition="suppressed", suppression__isnull=False)
                                   | ~Q(disposition="suppressed") & Q(suppression__isnull=True),
                                   name="alert_suppressed_by_a_suppression"),
            models.CheckConstraint(condition=Q(score__lte=100), name="alert_score_at_most_100"),
        ]

    def __str__(self) -> str:
        return f"Alert #{self.pk} {self.typology} (customer {self.customer_id})"


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    INVESTIGATING = "investigating", "Investigating"
    ESCALATED = "escalated", "Escalated"
    CLOSED_FALSE_POSITIVE = "closed_false_positive", "Closed as a false positive"
    CLOSED_SAR = "closed_sar", "Closed with a SAR"


OPEN_CASE_STATUSES = (CaseStatus.OPEN, CaseStatus.INVESTIGATING, CaseStatus.ESCALATED)
CLOSED_CASE_STATUSES = (CaseStatus.CLOSED_FALSE_POSITIVE, CaseStatus.CLOSED_SAR)


class Case(models.Model):
    """A customer's alerts under investigation. The SAR deadline runs from the first alert's detection: 30
    days, or 60 when no suspect is known (settings COMPLIANCE_SAR_DAYS / COMPLIANCE_SAR_DAYS_NO_SUSPECT)."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=24, choices=CaseStatus.choices, default=CaseStatus.OPEN, db_index=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")
    risk_score = models.PositiveSmallIntegerField(default=0, help_text="0-100, the highest of its alerts'.")
    detected_on = models.DateField(help_text="Business date of the first alert.")
    suspect_known = models.BooleanField(default=True)
    sar_due_on = models.DateField(help_text="The date a SAR must be filed by.")
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    closure_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                            blank=True, related_name="+",
                                            help_text="The second compliance officer (four-eyes), when needed.")
    closure_reason = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["sar_due_on", "id"]
        # change_case: assign, investigate, escalate, say whether a suspect is known (services/cases.py).
        permissions = [("close_case", "Can close an AML case (as a false positive, or with a SAR)"),
                       ("decide_case_closure", "Can approve another officer's false-positive closure (four-eyes)")]
        constraints = [
            # Alerts are grouped by customer: one case under investigation per customer at a time.
            models.UniqueConstraint(fields=["customer"], condition=Q(status__in=["open", "investigating", "escalated"]),
                                    name="case_one_open_per_customer"),
            models.CheckConstraint(condition=Q(status__in=["open", "investigating", "escalated",
                                                           "closed_false_positive", "closed_sar"]),
                                   name="case_status_known"),
            models.CheckConstraint(condition=Q(status__in=["closed_false_positive", "closed_sar"],
                                               closed_at__isnull=False)
                                   | Q(status__in=["open", "investigating", "escalated"], closed_at__isnull=True),
                                   name="case_closed_has_time"),
            models.CheckConstraint(condition=Q(sar_due_on__gte=models.F("detected_on")),
                                   name="case_due_after_detection"),
            models.CheckConstraint(condition=Q(risk_score__lte=100), name="case_risk_at_most_100"),
        ]

    def __str__(self) -> str:
        return f"Case {self.pk} (customer {self.customer_id}, {self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_CASE_STATUSES


class CaseNote(models.Model):
    """An officer's note on a case: written once, never edited (a correction is another note)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Note {self.pk} on case {self.case_id}"


class Suppression(models.Model):
    """A known pattern kept out of the queue: alerts of ``typology`` (every typology when empty) for
    ``customer`` are recorded as suppressed until ``expires_on`` (inclusive) or until it is lifted."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+")
    typology = models.CharField(max_length=40, blank=True)
    reason = models.TextField()
    expires_on = models.DateField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["expires_on", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="suppression_has_reason"),
            models.CheckConstraint(condition=Q(lifted_at__isnull=True, lifted_by__isnull=True)
                                   | Q(lifted_at__isnull=False, lifted_by__isnull=False),
                                   name="suppression_lifted_by_someone"),
        ]

    def __str__(self) -> str:
        return f"Suppression of {self.typology or 'every typology'} for customer {self.customer_id}"
