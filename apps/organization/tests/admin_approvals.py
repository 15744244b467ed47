"""Maker-checker through the admin, for tests of any app: the checker's queue and its approve action."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from apps.organization.models import ApprovalRequest


def admin_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def approve_in_admin(checker, approval: ApprovalRequest):
    """The checker selects the request in Approval requests and runs "Approve"; returns the response."""
    return admin_client(checker).post(reverse("admin:organization_approvalrequest_changelist"),
                                      {"action": "approve", "_selected_action": [approval.pk]}, follow=True)


def pending_request(operation: str) -> ApprovalRequest:
    return ApprovalRequest.objects.get(operation=operation, state=ApprovalRequest.State.PENDING)
