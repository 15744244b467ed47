"""The outbox's queue on the admin home: events that failed delivery, for those who may retry them."""

from django.urls import reverse

from apps.outbox.selectors import failed_events
from apps.work_queues import WaitingWork, register_work_queue


def failed_events_waiting_for(user) -> WaitingWork | None:
    if not user.has_perm("outbox.change_outboxevent"):  # the retry action's permission
        return None
    return WaitingWork(label="Domain events that failed delivery (retry once fixed)", count=failed_events().count(),
                       url=reverse("admin:outbox_outboxevent_changelist") + "?state__exact=failed")


register_work_queue("outbox.failed_events", failed_events_waiting_for, order=500)
