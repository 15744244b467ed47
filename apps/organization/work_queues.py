"""Organization's queue on the admin home: the approval requests this staff member may decide."""

from django.urls import reverse
from django.utils import timezone

from apps.organization.approvals import decides_any_request
from apps.organization.selectors import approval_requests_decidable_by
from apps.work_queues import WaitingWork, register_work_queue


def approvals_waiting_for(user) -> WaitingWork | None:
    if not decides_any_request(user):
        return None
    count = approval_requests_decidable_by(user, now=timezone.now()).count()
    return WaitingWork(label="Approval requests you may decide", count=count,
                       url=reverse("admin:organization_approvalrequest_changelist") + "?waiting=you")


register_work_queue("organization.approvals", approvals_waiting_for, order=100)
