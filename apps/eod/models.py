"""End-of-day runs, their steps, and the seals that chain each closed business date's ledger entries."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class EodRun(models.Model):
    """One end of day for one business date. A failed run is resumed from its failed step."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        FAILED = "failed", "Failed"
        COMPLETED = "completed", "Completed"

    business_date = models.DateField(unique=True)
    next_business_date = models.DateField(help_text="The bank's business date once the day was closed.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING, db_index=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", help_text="Empty when the nightly schedule started it.")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["-business_date"]
        verbose_name = "end-of-day run"
        permissions = [("run_end_of_day", "Can close the business date (run end of day) from the admin")]
        constraints = [
            models.CheckConstraint(condition=Q(next_business_date__gt=models.F("business_date")),
                                   name="eod_next_date_after_date"),
            models.CheckConstraint(condition=~Q(status="completed") | Q(finished_at__isnull=False),
                                   name="eod_completed_has_finish"),
        ]

    def __str__(self) -> str:
        return f"EOD {self.business_date} ({self.status})"


class EodAttempt(models.Model):
    """One start of a run: the first (number 1) and each resume of a failed run, with who started it and from
    which door. ``EodRun.started_by`` stays the first starter; who resumed it is here."""

    class Door(models.TextChoices):
        SCREEN = "screen", "End-of-day screen (admin)"
        RUN_NOW = "run_now", "Run now (admin, periodic task)"
        SCHEDULE = "schedule", "Nightly schedule"
        COMMAND = "command", "run_eod command"
        SERVICE = "service", "Called from code"

    run = models.ForeignKey(EodRun, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", help_text="Empty for the nightly schedule and the command.")
    door = models.CharField(max_length=10, choices=Door.choices)
    started_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run", "number"]
        verbose_name = "end-of-day attempt"
        constraints = [models.UniqueConstraint(fields=["run", "number"], name="eod_attempt_number_once_per_run")]

    def __str__(self) -> str:
        return f"{self.run.business_date} attempt {self.number}"


class EodStepRun(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        FAILED = "failed", "Failed"
        COMPLETED = "completed", "Completed"

    run = models.ForeignKey(EodRun, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=100)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    counts = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["run", "position"]
        verbose_name = "end-of-day step"
        constraints = [models.UniqueConstraint(fields=["run", "name"], name="eod_step_once_per_run")]

    def __str__(self) -> str:
        return f"{self.run.business_date} {self.position}. {self.name} ({self.status})"


class LedgerSeal(models.Model):
    """SHA-256 over the journal entries and postings of the business dates after the previous seal up to
    ``business_date``, chained to the previous seal's digest (apps.eod.seal). ``ledger_check`` recomputes the
    chain: an entry changed, added or removed in a sealed date, even by raw SQL, breaks it."""

    business_date = models.DateField(unique=True)
    covers_from = models.DateField(null=True, blank=True, help_text="First date covered; empty for the first seal.")
    previous = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True, related_name="next")
    previous_digest = models.CharField(max_length=64, blank=True)
    digest = models.CharField(max_length=64)
    entries = models.PositiveIntegerField()
    postings = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-business_date"]
        constraints = [
            models.CheckConstraint(condition=Q(previous__isnull=True, previous_digest="")
                                   | Q(previous__isnull=False) & ~Q(previous_digest=""),
                                   name="seal_chained_to_previous"),
        ]

    def __str__(self) -> str:
        return f"Seal {self.business_date} {self.digest[:12]}"
