"""Reads about the bank and its organization."""

import datetime

from django.db.models import Q, QuerySet

from apps.domain_errors import DomainError
from apps.organization.branch_scope import is_bank_wide
from apps.organization.models import ApprovalRequest, Bank


class BankNotConfigured(DomainError):
    code = "bank_not_configured"
    status = 503


def current_bank() -> Bank:
    bank = Bank.objects.order_by("pk").first()
    if bank is None:
        raise BankNotConfigured("No bank is configured yet: run `manage.py seed_demo` or create one in the admin.")
    return bank


def current_business_date() -> datetime.date:
    """The bank's business date: it moves forward only by end of day, never with the wall clock."""
    return current_bank().current_business_date


def approval_requests_for(user) -> QuerySet[ApprovalRequest]:
    """Bank-wide roles see every request; branch staff see their branch's and their own."""
    requests = ApprovalRequest.objects.select_related("maker", "checker", "branch")
    if is_bank_wide(user):
        return requests
    return requests.filter(Q(branch_id=user.home_branch_id) | Q(maker=user))
