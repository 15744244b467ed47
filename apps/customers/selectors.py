"""Reads about customers: scoped lists for staff, the customer behind a channel login, statistics."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from apps.customers.models import ChannelCode, Customer
from apps.domain_errors import NotFound
from apps.organization.api_tokens import live_api_tokens
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


@dataclass(frozen=True)
class ChannelEnrolment:
    """Where a customer's channel login stands: ``state`` is not_enrolled, pending (a login without a password
    yet: the enrolment code was not redeemed), enrolled, or revoked; ``in_words`` says it to staff."""

    state: str
    in_words: str
    username: str
    last_login: datetime.datetime | None
    codes: tuple[ChannelCode, ...]
    devices_signed_in: int = 0


def channel_enrolment_of(customer: Customer, *, now: datetime.datetime, codes_shown: int = 5) -> ChannelEnrolment:
    """The customer's channel enrolment, its last ``codes_shown`` codes (never the code itself: only its digest
    is kept) and how many devices are signed in (live API tokens), in three queries."""
    user = customer.user  # one query unless the caller selected it
    codes = tuple(ChannelCode.objects.filter(customer_id=customer.pk).select_related("issued_by")
                  .order_by("-issued_at", "-pk")[:codes_shown])
    if user is None:
        return ChannelEnrolment("not_enrolled", "Not enrolled: the customer has no channel login.", "", None, codes)
    if not user.is_active:
        return ChannelEnrolment("revoked", f"Channel access revoked: the login {user.username} is deactivated.",
                                user.username, user.last_login, codes)
    if not user.has_usable_password():
        live = next((code for code in codes if code.purpose == ChannelCode.Purpose.ENROLMENT
                     and code.state_at(now) == "live"), None)
        until = (f"the enrolment code works until {live.expires_at:%Y-%m-%d %H:%M} UTC" if live
                 else "no enrolment code works any more: enrol again for a new one")
        return ChannelEnrolment("pending", f"Enrolment pending as {user.username}: the customer has not set a "
                                           f"password yet; {until}.", user.username, None, codes)
    devices = live_api_tokens(user=user).count()
    signed_in = (f"signed in on {devices} device{'s' if devices != 1 else ''} now" if devices
                 else "no device signed in now")
    return ChannelEnrolment("enrolled", f"Enrolled as {user.username}, {signed_in}.", user.username,
                            user.last_login, codes, devices)


def kyc_status_mix(customers: QuerySet[Customer]) -> list[tuple[str, int]]:
    """How many of ``customers`` are in each KYC status, in the statuses' order (each one, zero included): one
    GROUP BY query."""
    counts = dict(customers.order_by().values_list("kyc_status").annotate(customers=Count("pk")))
    return [(label, counts.get(status, 0)) for status, label in Customer.KycStatus.choices]
