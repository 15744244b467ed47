"""Reads about payments."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from apps.accounts.models import Account
from apps.organization.branch_scope import visible_to
from apps.organization.models import User
from apps.payments.models import Transfer


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
    from apps.payments.models import OutgoingPayment

    payments = OutgoingPayment.objects.select_related("from_account")
    if user.is_staff:
        return payments.filter(from_account__in=visible_to(user, Account.objects.all()))
    return payments.filter(from_account__holder_links__customer__user=user).distinct()


def beneficiaries_of(user: User) -> QuerySet:
    """A customer's own saved beneficiaries (not removed); nothing for anyone else."""
    from apps.payments.models import Beneficiary

    if user.is_staff:
        return Beneficiary.objects.none()
    return Beneficiary.objects.filter(owner__user=user, removed_at__isnull=True).order_by("name", "id")


def payment_reviews_visible_to(user: User) -> QuerySet:
    """The review queue as ``user`` may see it: bank-wide roles all of it; branch staff their branch's accounts;
    customers nothing."""
    from apps.payments.models import PaymentReview

    if not user.is_staff or not user.has_perm("payments.view_paymentreview"):
        return PaymentReview.objects.none()
    reviews = PaymentReview.objects.select_related("from_account", "outgoing_payment", "decided_by")
    return reviews.filter(from_account__in=visible_to(user, Account.objects.all()))
