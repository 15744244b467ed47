"""Reads about payments."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from apps.accounts.models import Account
from apps.customers.models import Customer
from apps.ledger.sums import AmountSum
from apps.money import to_minor_unit
from apps.organization.branch_scope import is_bank_wide, visible_to
from apps.organization.models import Branch, User
from apps.payments.models import (
    Beneficiary,
    FraudDecision,
    IncomingPayment,
    OutgoingPayment,
    PaymentReview,
    PaymentSource,
    StandingOrder,
    Transfer,
)


def transfers_visible_to(user: User) -> QuerySet[Transfer]:
    """A customer's transfers in and out of the accounts they hold; for staff, those of their branch's accounts."""
    transfers = Transfer.objects.select_related("from_account", "to_account", "initiated_by")
    if user.is_staff:
        accounts = visible_to(user, Account.objects.all())
    else:
        accounts = Account.objects.filter(holder_links__customer__user=user)
    return transfers.filter(Q(from_account__in=accounts) | Q(to_account__in=accounts)).distinct()


def payer_accounts_of(user: User) -> QuerySet[Account]:
    """What ``user`` may debit: a customer their own accounts; staff their branch's accounts (change scope)."""
    if user.is_staff:
        return visible_to(user, Account.objects.all(), "change")
    return Account.objects.filter(holder_links__customer__user=user)


def outgoing_payments_visible_to(user: User) -> QuerySet:
    """A customer's own; staff those from the accounts they see, and head-office roles that may view payments
    the loans paid out to another bank too (they debit no account; a loan officer sees them on the loan)."""
    payments = OutgoingPayment.objects.select_related("from_account")
    if user.is_staff:
        seen = Q(from_account__in=visible_to(user, Account.objects.all()))
        if is_bank_wide(user) and user.has_perm("payments.view_outgoingpayment"):
            seen |= Q(source=PaymentSource.LOAN_DISBURSEMENT)
        return payments.filter(seen)
    return payments.filter(from_account__holder_links__customer__user=user).distinct()


def beneficiaries_of(user: User) -> QuerySet:
    """A customer's own saved beneficiaries (not removed); nothing for anyone else."""
    if user.is_staff:
        return Beneficiary.objects.none()
    return Beneficiary.objects.filter(owner__user=user, removed_at__isnull=True).order_by("name", "id")


def payment_reviews_visible_to(user: User) -> QuerySet:
    """The review queue as ``user`` may see it: bank-wide roles all of it; branch staff their branch's accounts;
    customers nothing."""
    if not user.is_staff or not user.has_perm("payments.view_paymentreview"):
        return PaymentReview.objects.none()
    reviews = PaymentReview.objects.select_related("from_account", "outgoing_payment", "decided_by")
    return reviews.filter(from_account__in=visible_to(user, Account.objects.all()))


def payment_reviews_pending_for(user: User) -> QuerySet:
    """The held payments ``user`` may decide (release or reject): pending, within their scope, oldest first."""
    if not user.has_perm("payments.review_payment"):
        return PaymentReview.objects.none()
    return payment_reviews_visible_to(user).filter(status=PaymentReview.Status.PENDING).order_by("held_on", "pk")


def incoming_payments_visible_to(user: User) -> QuerySet[IncomingPayment]:
    """Payments in to the accounts ``user`` may see: the beneficiary's account decides who sees a payment in, as
    the payer's does for one out."""
    return IncomingPayment.objects.filter(to_account__in=visible_to(user, Account.objects.all()))


def standing_orders_visible_to(user: User) -> QuerySet[StandingOrder]:
    """The standing orders paid from the accounts ``user`` may see."""
    return StandingOrder.objects.filter(from_account__in=visible_to(user, Account.objects.all()))


def beneficiaries_visible_to(user: User) -> QuerySet[Beneficiary]:
    """The payees saved by the customers ``user`` may see, removed ones included (staff read them)."""
    return Beneficiary.objects.filter(owner__in=visible_to(user, Customer.objects.all()))


def fraud_decisions_visible_to(user: User) -> QuerySet[FraudDecision]:
    """The fraud decisions on payments from the accounts ``user`` may see."""
    return FraudDecision.objects.filter(from_account__in=visible_to(user, Account.objects.all()))


@dataclass(frozen=True)
class TransferVolume:
    """Internal transfers made per business date, per currency: how many and how much."""

    dates: list[datetime.date]
    amounts: dict[str, list[Decimal]]
    counts: dict[str, list[int]]


def transfer_volume_per_day(*, branches: list[Branch] | None, business_date: datetime.date,
                            days: int = 30) -> TransferVolume:
    """The transfers that moved money (completed, and those reversed since) on each of the last ``days`` business
    dates, paid from accounts of ``branches`` (None: the whole bank); one query over the business date's index."""
    first = business_date - datetime.timedelta(days=days - 1)
    dates = [first + datetime.timedelta(days=offset) for offset in range(days)]
    transfers = Transfer.objects.filter(business_date__gte=first, business_date__lte=business_date,
                                        status__in=[Transfer.Status.COMPLETED, Transfer.Status.REVERSED])
    if branches is not None:
        transfers = transfers.filter(from_account__branch_id__in=[branch.pk for branch in branches])
    rows = transfers.order_by().values("business_date", "currency").annotate(total=AmountSum("amount"),
                                                                             transfers=Count("pk"))
    amounts: dict[str, dict[datetime.date, Decimal]] = defaultdict(dict)
    counts: dict[str, dict[datetime.date, int]] = defaultdict(dict)
    for row in rows:
        amounts[row["currency"]][row["business_date"]] = to_minor_unit(row["total"], row["currency"])
        counts[row["currency"]][row["business_date"]] = row["transfers"]
    return TransferVolume(
        dates=dates,
        amounts={currency: [by_day.get(day, Decimal(0)) for day in dates] for currency, by_day in
                 sorted(amounts.items())},
        counts={currency: [counts[currency].get(day, 0) for day in dates] for currency in sorted(counts)})
