"""Publishing domain events into the outbox, and delivering them to subscribers."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from apps.outbox.broker import send_task
from apps.outbox.models import OutboxDelivery, OutboxEvent
from apps.outbox.subscribers import subscribers_for

logger = logging.getLogger(__name__)

# While one worker delivers an event, the sweep leaves it alone this long.
DELIVERY_LEASE = datetime.timedelta(minutes=5)


def publish_event(event_type: str, payload: dict[str, Any], *, aggregate: models.Model | None = None) -> OutboxEvent:
    """Write the event in the caller's transaction; delivery starts after commit (and never on rollback)."""
    event = OutboxEvent.objects.create(
        event_type=event_type, payload=payload,
        aggregate_type=aggregate._meta.label_lower if aggregate is not None else "",
        aggregate_id=str(aggregate.pk) if aggregate is not None else "",
    )
    if event_type not in settings.OUTBOX_BATCHED_EVENT_TYPES:  # those a batch consumer drains (no task each)
        transaction.on_commit(lambda: _enqueue_delivery(event.pk))
    return event


def _enqueue_delivery(event_id: int) -> None:
    from apps.outbox.tasks import deliver_outbox_event  # here: the task module imports this one

    try:
        send_task(deliver_outbox_event, event_id, backstop="the outbox sweep (outbox.deliver_pending_events) sends it")
    except Exception:  # eager mode: the delivery ran here and failed; the event stays pending for the sweep
        logger.exception("Delivery of outbox event %s failed; the sweep will retry it.", event_id)


def retry_delay(attempts: int) -> datetime.timedelta:
    """Exponential backoff: base, 2x base, 4x base ... capped at OUTBOX_MAX_RETRY_DELAY."""
    delay = settings.OUTBOX_RETRY_BASE_DELAY * (2 ** max(attempts - 1, 0))
    return min(delay, settings.OUTBOX_MAX_RETRY_DELAY)


def _claim(event_id: int, now: datetime.datetime) -> OutboxEvent | None:
    """A conditional UPDATE: of two workers racing for one event, only one gets it."""
    claimed = OutboxEvent.objects.filter(
        pk=event_id, state=OutboxEvent.State.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=now + DELIVERY_LEASE)
    return OutboxEvent.objects.get(pk=event_id) if claimed else None


def deliver_event(*, event_id: int, now: datetime.datetime | None = None) -> OutboxEvent | None:
    """Give the event to each subscriber that has not handled it yet; schedule a retry if one fails.

    Not atomic as a whole on purpose: each subscriber commits with its own delivery record, so a failing
    subscriber does not undo (and later repeat) the others.
    """
    now = now or timezone.now()
    event = _claim(event_id, now)
    if event is None:
        return None
    done = set(OutboxDelivery.objects.filter(event=event).values_list("subscriber", flat=True))
    errors = []
    for sub in subscribers_for(event.event_type):
        if sub.name in done:
            continue
        try:
            with transaction.atomic():
                sub.handle(event)
                OutboxDelivery.objects.create(event=event, subscriber=sub.name)
        except Exception as error:
            logger.warning("Outbox subscriber %s failed on event %s: %r", sub.name, event.pk, error)
            errors.append(f"{sub.name}: {error!r}")
    event.attempts += 1
    if errors:
        event.last_error = "\n".join(errors)[:4000]
        if event.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            event.state = OutboxEvent.State.FAILED
        else:
            event.next_attempt_at = now + retry_delay(event.attempts)
    else:
        event.state = OutboxEvent.State.DELIVERED
        event.delivered_at = now
        event.last_error = ""
    event.save(update_fields=["attempts", "state", "next_attempt_at", "last_error", "delivered_at"])
    return event


def deliver_pending_events(*, now: datetime.datetime | None = None, limit: int = 500) -> int:
    """The sweep: deliver events whose (re)try is due. Returns how many were attempted."""
    now = now or timezone.now()
    # events of a batched type are the batch consumer's first; the sweep delivers them one by one only when
    # they have waited OUTBOX_BATCH_GRACE (the consumer is not running)
    due = list(OutboxEvent.objects.filter(state=OutboxEvent.State.PENDING, next_attempt_at__lte=now)
               .exclude(event_type__in=settings.OUTBOX_BATCHED_EVENT_TYPES,
                        created_at__gt=now - settings.OUTBOX_BATCH_GRACE)
               .order_by("pk").values_list("pk", flat=True)[:limit])
    attempted = 0
    for event_id in due:
        if deliver_event(event_id=event_id, now=now) is not None:
            attempted += 1
    return attempted


@transaction.atomic
def retry_failed_event(*, event: OutboxEvent) -> OutboxEvent:
    """An operator gives a failed event another round of retries (after fixing the subscriber)."""
    OutboxEvent.objects.filter(pk=event.pk, state=OutboxEvent.State.FAILED).update(
        state=OutboxEvent.State.PENDING, attempts=0, next_attempt_at=timezone.now())
    transaction.on_commit(lambda: _enqueue_delivery(event.pk))
    event.refresh_from_db()
    return event
