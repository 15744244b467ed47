"""A backtest: a typology's parameters run over a past range of monitored transactions, to see how many alerts
they would have raised, and for whom, before anyone switches them on. It writes no alert; beside its own
figures it records what the live setting actually raised in the same range, so the officer reads the two
together. Requested by a service (apps/compliance/services/backtest_requests.py), carried out by a Celery task
(apps/compliance/tasks.py) after the request commits.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from apps.money import CURRENCY_CHOICES

# How many of the customers a backtest would alert it names (the counts are always complete).
BACKTEST_CUSTOMERS_SHOWN = 50


class BacktestStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class BacktestRun(models.Model):
    typology = models.CharField(max_length=40, help_text="The library's code.")
    typology_version = models.PositiveIntegerField(help_text="The library's version of it when requested.")
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    parameters = models.JSONField(help_text="The parameters tried, as validated when requested.")
    source_setting = models.ForeignKey("compliance.TypologySetting", on_delete=models.PROTECT, null=True,
                                       blank=True, related_name="backtests",
                                       help_text="The setting whose parameters were tried, if any.")
    date_from = models.DateField(help_text="First business date evaluated.")
    date_to = models.DateField(help_text="Last business date evaluated (inclusive).")
    status = models.CharField(max_length=8, choices=BacktestStatus.choices, default=BacktestStatus.QUEUED,
                              db_index=True)
    transactions_evaluated = models.PositiveIntegerField(default=0)
    alerts_would_raise = models.PositiveIntegerField(default=0, help_text="Alerts these parameters would have "
                                                                           "raised in the range.")
    customers_alerted = models.PositiveIntegerField(default=0, help_text="Distinct customers of those alerts.")
    customers = models.JSONField(default=list, help_text="The customers alerted (id, name, alerts), most alerts "
                                                         f"first, at most {BACKTEST_CUSTOMERS_SHOWN}.")
    live_alerts = models.PositiveIntegerField(default=0, help_text="Alerts the live setting actually raised in "
                                                                   "the range (shadow ones not counted).")
    live_customers = models.PositiveIntegerField(default=0)
    customers_only_backtest = models.PositiveIntegerField(
        default=0, help_text="Customers these parameters would alert whom the live setting did not.")
    customers_only_live = models.PositiveIntegerField(
        default=0, help_text="Customers the live setting alerted whom these parameters would not.")
    failure_reason = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-id"]
        permissions = [("request_backtest", "Can request a backtest of a typology's parameters")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["queued", "running", "done", "failed"]),
                                   name="backtest_status_known"),
            models.CheckConstraint(condition=Q(date_from__lte=models.F("date_to")), name="backtest_range_ordered"),
            models.CheckConstraint(condition=Q(status__in=["done", "failed"], finished_at__isnull=False)
                                   | Q(status__in=["queued", "running"], finished_at__isnull=True),
                                   name="backtest_finished_has_time"),
            models.CheckConstraint(condition=Q(customers_alerted__lte=models.F("alerts_would_raise")),
                                   name="backtest_customers_at_most_alerts"),
        ]

    def __str__(self) -> str:
        return f"Backtest #{self.pk} {self.typology} {self.currency} {self.date_from}..{self.date_to}"
