"""The payments domain's end-of-day steps, and what it reports open on the end-of-day screen."""

import datetime

from django.urls import reverse

from apps.eod_registry import OpenItem, register_open_items, register_step
from apps.payments.models import PaymentReview
from apps.payments.services.reviews import expire_undecided_reviews, reviews_past_deadline
from apps.payments.services.standing_orders import execute_due_standing_orders

# Before standing orders: funds a stale held payment reserved are free again for the day's orders.
register_step("payments.expire_undecided_reviews", expire_undecided_reviews, order=140)

# After holds expire (100), before interest accrues (200), so the day's balances include the day's payments.
register_step("payments.execute_standing_orders", execute_due_standing_orders, order=150)


def _held_payments(business_date: datetime.date) -> list[OpenItem]:
    pending = PaymentReview.objects.filter(status=PaymentReview.Status.PENDING).count()
    expiring = reviews_past_deadline(business_date).count()
    note = (f"{expiring} held past the deadline: this end of day expires them and gives the funds back."
            if expiring else "They stay held; end of day does not decide them.")
    return [OpenItem(label="Payments held for review", count=pending, note=note if pending else "",
                     url=reverse("admin:payments_paymentreview_changelist") + "?status__exact=pending")]


register_open_items("payments.held_payments", _held_payments, order=200)
