"""Reads about the bank and its organization."""

import datetime

from django.db.models import Q, QuerySet

from apps.domain_errors import DomainError
from apps.organization.approvals import (
    decides_any_request,
    operations_decidable_by_checker_permission,
    operations_not_decidable_by,
)
from apps.organization.branch_scope import is_bank_wide
from apps.organization.models import ApprovalRequest, Bank, Branch, Holiday, User
from apps.organization.roles import ALL_HOME_PANELS, HOME_PANELS


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


def home_panels(user: User) -> frozenset[str]:
    """The panels of the admin home for ``user``'s roles (``roles.HOME_PANELS``; a superuser sees them all). Read
    once per request: kept on the user object, like ``is_bank_wide``."""
    if not user.is_authenticated or not user.is_active or not user.is_staff:
        return frozenset()
    if user.is_superuser:
        return ALL_HOME_PANELS
    cached = getattr(user, "_ogpgy_home_panels", None)
    if cached is None:
        roles = user.groups.filter(name__in=HOME_PANELS).values_list("name", flat=True)
        cached = frozenset().union(*(HOME_PANELS[role] for role in roles))
        user._ogpgy_home_panels = cached
    return cached


def branches_in_figures_of(user: User) -> list[Branch] | None:
    """Whose figures the home shows ``user``: None for head office (the bank, then each branch), else their own
    branch alone (an empty list for staff without one)."""
    if is_bank_wide(user):
        return None
    return [user.home_branch] if user.home_branch_id else []


def approval_requests_for(user) -> QuerySet[ApprovalRequest]:
    """Bank-wide roles see every request; branch staff see their branch's and their own."""
    requests = ApprovalRequest.objects.select_related("maker", "checker", "branch")
    if is_bank_wide(user):
        return requests
    return requests.filter(Q(branch_id=user.home_branch_id) | Q(maker=user))


def approval_requests_decidable_by(user, requests: QuerySet[ApprovalRequest] | None = None, *,
                                   now: datetime.datetime) -> QuerySet[ApprovalRequest]:
    """The pending, unexpired requests ``user`` may decide, by the rules ``approve_request`` applies: a role that
    decides, never their own, their branch's (or bank-wide), and only operations whose checker permission they
    hold. The service checks each again when it decides."""
    requests = approval_requests_for(user) if requests is None else requests
    if not decides_any_request(user):
        return requests.none()
    waiting = requests.filter(state=ApprovalRequest.State.PENDING, expires_at__gt=now).exclude(maker_id=user.pk)
    if not is_bank_wide(user):
        waiting = waiting.filter(Q(branch__isnull=True) | Q(branch_id=user.home_branch_id))
    if not user.has_perm("organization.decide_approvalrequest"):  # only their own domain's four-eyes work
        return waiting.filter(operation__in=operations_decidable_by_checker_permission(user))
    not_theirs = operations_not_decidable_by(user)
    return waiting.exclude(operation__in=not_theirs) if not_theirs else waiting


def holidays_between(start: datetime.date, end: datetime.date) -> frozenset[datetime.date]:
    """The bank's holidays from ``start`` to ``end`` (both included), in one query."""
    from_table = Holiday.objects.filter(date__gte=start, date__lte=end).values_list("date", flat=True)
    return frozenset(from_table)
