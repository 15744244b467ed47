"""The review queue: a compliance officer releases or rejects a payment a fraud rule held.

Lock order (customer -> account -> payment): the transfer's two accounts, then the payment, then its review.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from apps.accounts.locks import lock_accounts
from apps.accounts.models import Account, Hold
from apps.accounts.services.availability import ensure_available
from apps.accounts.services.holds import release_hold
from apps.customers.rules import ensure_customer_may_send
from apps.domain_errors import PermissionRefused
from apps.money import Money
from apps.organization.models import User
from apps.organization.selectors import current_business_date
from apps.payments.errors import AccountNotAvailable, ReviewNotPending, ReviewReasonMissing
from apps.payments.models import OutgoingPayment, PaymentReview, Transfer
from apps.payments.services.external import return_funds, submit_after_commit
from apps.payments.services.transfers import post_transfer_entry


def _ensure_may_decide(review: PaymentReview, actor: User, reason: str) -> None:
    """The decider holds ``payments.review_payment`` and says why."""
    if not actor.has_perm("payments.review_payment"):
        raise PermissionRefused("Your role may not decide held payments.")
    if not reason.strip():
        raise ReviewReasonMissing("Say why the payment is released or rejected.")


def _ensure_four_eyes(review: PaymentReview, actor: User) -> None:
    """Someone other than the payment's initiator decides it."""
    payment = review.transfer or review.outgoing_payment
    if payment.initiated_by_id == actor.pk:
        raise PermissionRefused("You initiated this payment: another person must review it.",
                                code="reviewer_is_initiator")


def _lock_review(review_id: int) -> PaymentReview:
    return PaymentReview.objects.select_for_update().get(pk=review_id)


def _lock_pending_review(review_id: int) -> PaymentReview:
    """Lock the review; refuse one already decided."""
    review = _lock_review(review_id)
    if review.status != PaymentReview.Status.PENDING:
        raise ReviewNotPending(f"This held payment was already {review.status}.")
    return review


def _lock_decidable(review: PaymentReview, actor: User, reason: str) -> PaymentReview:
    """The review, locked, once ``actor`` may decide it with ``reason``: permission and reason, still pending,
    and four eyes (in that order, as the API has always answered)."""
    _ensure_may_decide(review, actor, reason)
    review = _lock_pending_review(review.pk)
    _ensure_four_eyes(review, actor)
    return review


def _decide(review: PaymentReview, status: str, actor: User, reason: str) -> PaymentReview:
    review.status, review.decided_by, review.decided_at = status, actor, timezone.now()
    review.decision_reason = reason.strip()[:300]
    review._history_user = actor
    review.save()
    return review


def _lock_transfer(review: PaymentReview) -> tuple[Transfer, Account, Account]:
    transfer = Transfer.objects.get(pk=review.transfer_id)
    locked = {a.pk: a for a in lock_accounts([transfer.from_account_id, transfer.to_account_id])}
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    return transfer, locked[transfer.from_account_id], locked[transfer.to_account_id]


@transaction.atomic
def release_held_payment(*, review: PaymentReview, actor: User, reason: str) -> PaymentReview:
    """Let the held payment go. A transfer: its hold is released and its one entry posted now (refused if the
    payer is no longer active, its owner is blocked or closed, or the payee can no longer receive: reject it
    instead). An outgoing payment (refused too while its payer's owner is blocked or closed): it becomes
    initiated and is submitted to the gateway after commit."""
    if review.transfer_id:
        transfer, payer, payee = _lock_transfer(review)
        review = _lock_decidable(review, actor, reason)
        if not payer.can_send:
            raise AccountNotAvailable(f"Account {payer.number} is {payer.status}: reject the transfer instead.",
                                      code=payer.cannot_send_because)
        if not payee.can_receive:
            raise AccountNotAvailable(f"Account {payee.number} is {payee.status}: reject the transfer instead.",
                                      code=payee.cannot_receive_because)
        ensure_customer_may_send(payer.customer)
        release_hold(hold=Hold.objects.get(pk=transfer.hold_id), actor=actor,
                     purpose=Hold.Purpose.PAYMENT_REVIEW)
        ensure_available(payer, Money(transfer.amount + transfer.fee, transfer.currency))
        transfer.entry = post_transfer_entry(transfer=transfer, payer=payer, payee=payee, posted_by=actor,
                                             business_date=current_business_date())
        transfer.status = Transfer.Status.COMPLETED
        transfer._history_user = actor
        transfer.save(update_fields=["entry", "status"])
    else:
        payment = OutgoingPayment.objects.select_for_update().get(pk=review.outgoing_payment_id)
        review = _lock_decidable(review, actor, reason)
        ensure_customer_may_send(payment.from_account.customer)
        payment.status = OutgoingPayment.Status.INITIATED
        payment._history_user = actor
        payment.save(update_fields=["status"])
        submit_after_commit(payment)
    return _decide(review, PaymentReview.Status.RELEASED, actor, reason)


@transaction.atomic
def reject_held_payment(*, review: PaymentReview, actor: User, reason: str) -> PaymentReview:
    """Refuse the held payment. A transfer: its hold is released, nothing was posted. An outgoing payment: the
    initiation entry is reversed, as for a gateway rejection, and the funds return from clearing."""
    if review.transfer_id:
        _lock_transfer(review)
    else:
        OutgoingPayment.objects.select_for_update().get(pk=review.outgoing_payment_id)
    review = _lock_decidable(review, actor, reason)
    _give_the_funds_back(review, actor=actor, reason=f"rejected in fraud review: {reason.strip()}")
    return _decide(review, PaymentReview.Status.REJECTED, actor, reason)


def _give_the_funds_back(review: PaymentReview, *, actor: User, reason: str) -> None:
    """The held payment will not go: a transfer's hold is released (nothing was posted); an outgoing payment's
    initiation entry is reversed. The caller holds the locks (accounts, then the payment, then the review)."""
    if review.transfer_id:
        transfer = Transfer.objects.get(pk=review.transfer_id)
        release_hold(hold=Hold.objects.get(pk=transfer.hold_id), actor=actor,
                     purpose=Hold.Purpose.PAYMENT_REVIEW)
        transfer.status = Transfer.Status.REJECTED
        transfer._history_user = actor
        transfer.save(update_fields=["status"])
    else:
        payment = OutgoingPayment.objects.get(pk=review.outgoing_payment_id)
        return_funds(payment=payment, status=OutgoingPayment.Status.REJECTED, reason=reason, actor=actor)
        payment._history_user = actor
        payment.save()


def reviews_past_deadline(business_date: datetime.date) -> QuerySet[PaymentReview]:
    """The pending reviews the end of day of ``business_date`` expires (none when the deadline is off)."""
    days = settings.PAYMENT_REVIEW_DEADLINE_DAYS
    if days <= 0:
        return PaymentReview.objects.none()
    return PaymentReview.objects.filter(status=PaymentReview.Status.PENDING,
                                        held_on__lte=business_date - datetime.timedelta(days=days))


def expire_undecided_reviews(business_date: datetime.date) -> dict[str, int]:
    """End of day: a held payment nobody decided within PAYMENT_REVIEW_DEADLINE_DAYS, counted in days from the
    business date on which it was held (``held_on``) to ``business_date``, does not go; its funds are given back
    as for a rejection and the review is closed as expired, with no decider. 0 turns the deadline off. Idempotent:
    an expired review is no longer pending. A review that cannot be closed fails the step (end of day records the
    error and resumes from it)."""
    days = settings.PAYMENT_REVIEW_DEADLINE_DAYS
    stale = list(reviews_past_deadline(business_date).order_by("pk").values_list("pk", flat=True))
    for review_id in stale:
        _expire(review_id, days=days)
    return {"expired": len(stale)}


@transaction.atomic
def _expire(review_id: int, *, days: int) -> None:
    review = PaymentReview.objects.get(pk=review_id)
    if review.transfer_id:
        _lock_transfer(review)
    else:
        OutgoingPayment.objects.select_for_update().get(pk=review.outgoing_payment_id)
    review = _lock_review(review_id)
    if review.status != PaymentReview.Status.PENDING:
        return
    reason = f"not decided within {days} days of being held"
    _give_the_funds_back(review, actor=None, reason=f"expired in fraud review: {reason}")
    review.status, review.decided_at, review.decision_reason = PaymentReview.Status.EXPIRED, timezone.now(), reason
    review._history_user = None
    review.save()
