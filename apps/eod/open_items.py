"""What the layers below end of day report open on its screen: maker-checker requests nobody decided yet
(organization) and domain events not delivered to their subscribers (outbox).

End of day sits on top and reads these two itself, as it reads the bank's date: were organization or the outbox
to register them, each would import eod, which imports them back (a cycle). Domains above eod's dependencies
(payments) register their own items through ``register_open_items``, as they register their steps.
"""

import datetime

from django.db.models import Count, Q
from django.urls import reverse

from apps.eod_registry import OpenItem, register_open_items
from apps.organization.models import ApprovalRequest
from apps.outbox.models import OutboxEvent


def _pending_approvals(business_date: datetime.date) -> list[OpenItem]:
    pending = ApprovalRequest.objects.filter(state=ApprovalRequest.State.PENDING).count()
    return [OpenItem(label="Approval requests waiting for a checker", count=pending,
                     note="They stay pending until decided or expired." if pending else "",
                     url=reverse("admin:organization_approvalrequest_changelist") + "?state__exact=pending")]


register_open_items("organization.pending_approvals", _pending_approvals, order=100)


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
