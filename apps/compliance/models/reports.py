"""Reports to the financial intelligence unit (FIU): the currency transaction report (CTR) register and
suspicious activity reports (SAR). The services that fill them are in services/ctr.py and services/sar.py;
docs/compliance/reports.md tells the whole story."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from apps.ledger.models import AMOUNT_FIELD
from apps.money import CURRENCY_CHOICES


class CtrThreshold(models.Model):
    """The CTR threshold of one currency: a customer's cash deposits (or withdrawals) of a CTR business day above
    ``amount`` are reported. What money may do without a report is configuration: a change goes through
    maker-checker (services/ctr.py ``propose_ctr_threshold_change``); a currency with no row is not aggregated."""

    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, unique=True)
    amount = models.DecimalField(**AMOUNT_FIELD, help_text="Cash above this amount (not at it) is reported.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["currency"]
        verbose_name = "CTR threshold"
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="ctr_threshold_positive")]

    def __str__(self) -> str:
        return f"CTR threshold {self.currency} {self.amount}"


class CtrStatus(models.TextChoices):
    READY = "ready", "Ready to file"
    FILED = "filed", "Filed"


class CurrencyTransactionReport(models.Model):
    """One customer's cash on one business day in one currency, above the CTR threshold: ready to file.

    Cash counts toward the CTR business day of the movement: its business date, or the next business day when
    it was made after the cut-off. Deposits and withdrawals are aggregated separately, across the customer's
    accounts and the bank's branches; the entry is created when either passes the threshold."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+")
    business_date = models.DateField()
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    cash_in = models.DecimalField(**AMOUNT_FIELD)
    cash_out = models.DecimalField(**AMOUNT_FIELD)
    threshold = models.DecimalField(**AMOUNT_FIELD, help_text="The threshold in force when it was aggregated.")
    transactions = models.ManyToManyField("compliance.MonitoredTransaction", related_name="ctrs")
    status = models.CharField(max_length=8, choices=CtrStatus.choices, default=CtrStatus.READY)
    filed_at = models.DateTimeField(null=True, blank=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")
    fiu_reference = models.CharField(max_length=100, blank=True, help_text="The FIU's acknowledgement number.")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-business_date", "id"]
        verbose_name = "currency transaction report"
        permissions = [("file_ctr", "Can file a currency transaction report with the FIU")]
        indexes = [models.Index(fields=["status", "business_date"], name="ctr_by_status_date")]
        constraints = [
            models.UniqueConstraint(fields=["customer", "business_date", "currency"], name="ctr_once_per_customer_day"),
            models.CheckConstraint(condition=Q(cash_in__gte=0, cash_out__gte=0), name="ctr_cash_not_negative"),
            models.CheckConstraint(condition=Q(status="filed", filed_at__isnull=False)
                                   | Q(status="ready", filed_at__isnull=True), name="ctr_filed_has_time"),
            models.CheckConstraint(condition=~Q(status="filed") | ~Q(fiu_reference="") & Q(filed_by__isnull=False),
                                   name="ctr_filed_has_acknowledgement"),
        ]

    def __str__(self) -> str:
        return f"CTR {self.business_date} customer {self.customer_id} {self.currency}"


class SarStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review (maker-checker)"
    APPROVED = "approved", "Approved, ready to file"
    FILED = "filed", "Filed"


class SuspiciousActivityReport(models.Model):
    """A SAR drafted from a case, reviewed by a second officer, then filed with the FIU. Once filed, its content
    (the goAML XML) and hash are kept unchanged until ``retain_until`` (the database refuses a change)."""

    case = models.ForeignKey("compliance.Case", on_delete=models.PROTECT, related_name="sars")
    status = models.CharField(max_length=10, choices=SarStatus.choices, default=SarStatus.DRAFT)
    reason = models.TextField(help_text="Why the activity is suspicious, in words (goAML: reason).")
    action = models.TextField(blank=True, help_text="What the bank did about it (goAML: action).")
    transactions = models.ManyToManyField("compliance.MonitoredTransaction", related_name="sars")
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    approval_request = models.ForeignKey("organization.ApprovalRequest", on_delete=models.PROTECT, null=True,
                                         blank=True, related_name="+",
                                         help_text="The review (maker-checker) it was last submitted to.")
    content = models.TextField(blank=True, help_text="The goAML XML as filed.")
    content_sha256 = models.CharField(max_length=64, blank=True)
    filed_at = models.DateTimeField(null=True, blank=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")
    fiu_reference = models.CharField(max_length=100, blank=True, help_text="The FIU's acknowledgement number.")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="+")
    retain_until = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "suspicious activity report"
        permissions = [("draft_sar", "Can draft a SAR and submit it for review"),
                       ("approve_sar", "Can approve a SAR another officer drafted"),
                       ("file_sar", "Can file an approved SAR with the FIU and record its acknowledgement")]
        constraints = [
            # One report in the making per case at a time (a filed one closes the case).
            models.UniqueConstraint(fields=["case"], condition=~Q(status="filed"), name="sar_one_unfiled_per_case"),
            models.CheckConstraint(condition=Q(status__in=["draft", "in_review", "approved", "filed"]),
                                   name="sar_status_known"),
            models.CheckConstraint(condition=~Q(status="filed") | Q(filed_at__isnull=False, retain_until__isnull=False)
                                   & ~Q(content="") & ~Q(content_sha256=""), name="sar_filed_is_complete"),
            models.CheckConstraint(condition=Q(status__in=["draft", "in_review"]) | Q(approved_by__isnull=False),
                                   name="sar_approved_by_someone"),
            models.CheckConstraint(condition=Q(fiu_reference="", acknowledged_at__isnull=True)
                                   | Q(status="filed") & ~Q(fiu_reference="") & Q(acknowledged_at__isnull=False),
                                   name="sar_acknowledged_when_filed"),
        ]
        # The database keeps a filed SAR as filed (migration 0002 and apps/compliance/sql/sar_retention.*.sql):
        # no UPDATE of its content, hash, filing or retention, no DELETE.

    def __str__(self) -> str:
        return f"SAR {self.pk} (case {self.case_id}, {self.status})"

    @property
    def is_filed(self) -> bool:
        return self.status == SarStatus.FILED
