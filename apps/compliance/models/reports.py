"""Reports to the financial intelligence unit (FIU): the currency transaction report (CTR) register and
suspicious activity reports (SAR). The services that fill them are in services/ctr.py and services/sar.py."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from apps.ledger.models import AMOUNT_FIELD
from apps.money import CURRENCY_CHOICES


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
        constraints = [
            models.UniqueConstraint(fields=["customer", "business_date", "currency"], name="ctr_once_per_customer_day"),
            models.CheckConstraint(condition=Q(cash_in__gte=0, cash_out__gte=0), name="ctr_cash_not_negative"),
            models.CheckConstraint(condition=Q(status="filed", filed_at__isnull=False)
                                   | Q(status="ready", filed_at__isnull=True), name="ctr_filed_has_time"),
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
    content = models.TextField(blank=True, help_text="The goAML XML as filed.")
    content_sha256 = models.CharField(max_length=64, blank=True)
    filed_at = models.DateTimeField(null=True, blank=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")
    fiu_reference = models.CharField(max_length=100, blank=True, help_text="The FIU's acknowledgement number.")
    retain_until = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "suspicious activity report"
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["draft", "in_review", "approved", "filed"]),
                                   name="sar_status_known"),
            models.CheckConstraint(condition=~Q(status="filed") | Q(filed_at__isnull=False, retain_until__isnull=False)
                                   & ~Q(content="") & ~Q(content_sha256=""), name="sar_filed_is_complete"),
        ]

    def __str__(self) -> str:
        return f"SAR {self.pk} (case {self.case_id}, {self.status})"
