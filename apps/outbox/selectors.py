"""Reads about domain events."""

from django.db.models import QuerySet

from apps.outbox.models import OutboxEvent


def failed_events() -> QuerySet[OutboxEvent]:
    """Events whose delivery gave up after the last retry: they wait for someone to retry them by hand."""
    return OutboxEvent.objects.filter(state=OutboxEvent.State.FAILED)
