"""The transactional outbox: a domain event is a row written in the same transaction as the change it reports.

A Celery task delivers each event to its subscribers after commit (and a beat sweep retries whatever is left),
so an event is never lost when the broker is down and never sent for a change that rolled back. Delivery is
at least once; ``OutboxDelivery`` records which subscriber already handled an event, so a redelivery skips it.
No history table: these rows are themselves the audit trail and are never edited except for delivery state.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone


class OutboxEvent(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed (gave up after the last retry)"

    event_type = models.CharField(max_length=100, db_index=True, help_text='e.g. "customer.onboarded".')
    aggregate_type = models.CharField(max_length=100, blank=True, help_text='e.g. "customers.customer".')
    aggregate_id = models.CharField(max_length=64, blank=True)
    payload = models.JSONField(default=dict)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["next_attempt_at"], condition=Q(state="pending"),
                                name="outbox_pending_due")]
        constraints = [
            models.CheckConstraint(condition=Q(state="delivered", delivered_at__isnull=False)
                                   | ~Q(state="delivered") & Q(delivered_at__isnull=True),
                                   name="outbox_delivered_has_time"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.event_type} ({self.state})"


class OutboxDelivery(models.Model):
    """One subscriber handled one event: a redelivery of the event skips this subscriber."""

    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.CharField(max_length=100)
    delivered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "outbox deliveries"
        constraints = [models.UniqueConstraint(fields=["event", "subscriber"], name="outbox_delivery_once")]

    def __str__(self) -> str:
        return f"event #{self.event_id} -> {self.subscriber}"
