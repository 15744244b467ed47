"""What the organization reports open on the end-of-day screen: maker-checker requests nobody decided yet."""

import datetime

from django.urls import reverse

from apps.eod.registry import OpenItem, register_open_items
from apps.organization.models import ApprovalRequest


def _pending_approvals(business_date: datetime.date) -> list[OpenItem]:
    pending = ApprovalRequest.objects.filter(state=ApprovalRequest.State.PENDING).count()
    return [OpenItem(label="Approval requests waiting for a checker", count=pending,
                     note="They stay pending until decided or expired." if pending else "",
                     url=reverse("admin:organization_approvalrequest_changelist") + "?state__exact=pending")]


register_open_items("organization.pending_approvals", _pending_approvals, order=100)
