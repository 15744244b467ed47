"""KYC's queues on the admin home: open screening hits, and customers in manual review with what each waits for."""

from django.urls import reverse

from apps.customers.models import Customer
from apps.kyc.selectors import manual_reviews_waiting, screening_hits_to_decide
from apps.organization.selectors import current_business_date
from apps.work_queues import WaitingCase, WaitingWork, register_work_queue

SHOWN = 5


def screening_hits_waiting_for(user) -> WaitingWork | None:
    if not user.has_perm("kyc.decide_screeninghit"):
        return None
    return WaitingWork(label="Screening hits to confirm or dismiss", count=screening_hits_to_decide(user).count(),
                       url=reverse("admin:kyc_screeninghit_changelist") + "?status__exact=open")


def manual_reviews_waiting_for(user) -> WaitingWork | None:
    if not user.has_perm("kyc.review_kyc"):
        return None
    count, cases = manual_reviews_waiting(user, shown=SHOWN, on=current_business_date())
    return WaitingWork(
        label="KYC manual reviews", count=count,
        url=reverse("admin:customers_customer_changelist") + f"?kyc_status__exact={Customer.KycStatus.IN_PROGRESS}",
        cases=tuple(WaitingCase(text=f"{customer.legal_name} (#{customer.pk}): {waiting}",
                                url=reverse("admin:customers_customer_change", args=[customer.pk]))
                    for customer, waiting in cases))


register_work_queue("kyc.screening_hits", screening_hits_waiting_for, order=300)
register_work_queue("kyc.manual_reviews", manual_reviews_waiting_for, order=400)
