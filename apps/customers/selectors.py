"""Reads about customers: scoped lists for staff, the customer behind a channel login, statistics."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from apps.customers.models import Customer
from apps.domain_errors import NotFound
from apps.organization.branch_scope import visible_to
from apps.organization.models import User


def customers_for(user: User, action: str = "view") -> QuerySet[Customer]:
    """The customers a staff member may see (or change): their branch's, or all for bank-wide roles."""
    return visible_to(user, Customer.objects.select_related("branch"), action)


def customer_of_login(user: User) -> Customer:
    """The customer a channel login belongs to; nobody else's, ever."""
    customer = Customer.objects.select_related("branch").filter(user_id=user.pk).first() if user.pk else None
    if customer is None:
        raise NotFound("This login is not linked to a customer.")
    return customer


def customer_statistics(customers: QuerySet[Customer]) -> dict[str, Any]:
    """Totals by type, KYC status and branch, in two queries whatever the number of customers."""
    totals = customers.aggregate(
        total=Count("pk"),
        individuals=Count("pk", filter=Q(customer_type=Customer.Type.INDIVIDUAL)),
        businesses=Count("pk", filter=Q(customer_type=Customer.Type.BUSINESS)),
        premium=Count("pk", filter=Q(is_premium=True)),
        verified=Count("pk", filter=Q(kyc_status=Customer.KycStatus.VERIFIED)),
        in_review=Count("pk", filter=Q(kyc_status=Customer.KycStatus.IN_PROGRESS)),
        expired=Count("pk", filter=Q(kyc_status=Customer.KycStatus.EXPIRED)),
    )
    by_branch = list(customers.order_by().values("branch__code", "branch__name").annotate(
        total=Count("pk"), verified=Count("pk", filter=Q(kyc_status=Customer.KycStatus.VERIFIED)),
    ).order_by("branch__code"))
    return {**totals, "by_branch": by_branch}


def kyc_status_mix(customers: QuerySet[Customer]) -> list[tuple[str, int]]:
    """How many of ``customers`` are in each KYC status, in the statuses' order (each one, zero included): one
    GROUP BY query."""
    counts = dict(customers.order_by().values_list("kyc_status").annotate(customers=Count("pk")))
    return [(label, counts.get(status, 0)) for status, label in Customer.KycStatus.choices]
