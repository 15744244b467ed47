"""Payments' queue on the admin home: the payments held for review, for those who may decide them."""

from django.urls import reverse

from apps.money import format_amount
from apps.payments.selectors import payment_reviews_pending_for
from apps.work_queues import WaitingCase, WaitingWork, register_work_queue

SHOWN = 5


def held_payments_waiting_for(user) -> WaitingWork | None:
    if not user.has_perm("payments.review_payment"):
        return None
    pending = payment_reviews_pending_for(user)
    cases = tuple(
        WaitingCase(text=f"{format_amount(review.amount, review.currency)} from {review.from_account.number}, held "
                         f"on {review.held_on:%Y-%m-%d}: {review.rules_fired}",
                    url=reverse("admin:payments_paymentreview_change", args=[review.pk]))
        for review in pending[:SHOWN])
    return WaitingWork(label="Payments held for review", count=pending.count(), cases=cases,
                       url=reverse("admin:payments_paymentreview_changelist") + "?status__exact=pending")


register_work_queue("payments.held_payments", held_payments_waiting_for, order=200)
