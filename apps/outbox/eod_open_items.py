"""What the outbox reports open on the end-of-day screen: domain events not delivered to their subscribers."""

import datetime

from django.db.models import Count, Q
from django.urls import reverse

from apps.eod.registry import OpenItem, register_open_items
from apps.outbox.models import OutboxEvent


def _undelivered_events(business_date: datetime.date) -> list[OpenItem]:
    changelist = reverse("admin:outbox_outboxevent_changelist")
    counts = OutboxEvent.objects.aggregate(failed=Count("pk", filter=Q(state=OutboxEvent.State.FAILED)),
                                           pending=Count("pk", filter=Q(state=OutboxEvent.State.PENDING)))
    failed, pending = counts["failed"], counts["pending"]
    return [
        OpenItem(label="Domain events that failed delivery", count=failed, url=f"{changelist}?state__exact=failed",
                 note="Retried only by hand (the retry action), once their subscriber is fixed." if failed else ""),
        OpenItem(label="Domain events waiting for delivery", count=pending, url=f"{changelist}?state__exact=pending",
                 note="The worker delivers them; many here means the worker or the broker is down." if pending else ""),
    ]


register_open_items("outbox.undelivered_events", _undelivered_events, order=300)
