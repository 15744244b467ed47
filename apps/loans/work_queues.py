"""Loans' queue on the admin home: the branch's applications under review, for those who underwrite them."""

from django.urls import reverse

from apps.loans.application_selectors import applications_visible_to_staff
from apps.loans.models import ApplicationStatus
from apps.loans.services.underwriting import UNDERWRITE_PERMISSION
from apps.money import format_amount
from apps.work_queues import WaitingCase, WaitingWork, register_work_queue

SHOWN = 5


def applications_waiting_for(user) -> WaitingWork | None:
    if not user.has_perm(UNDERWRITE_PERMISSION):
        return None
    waiting = applications_visible_to_staff(user).filter(status=ApplicationStatus.UNDER_REVIEW).order_by(
        "submitted_at", "id")
    cases = tuple(
        WaitingCase(text=f"{format_amount(application.amount, application.currency)} for "
                         f"{application.customer.legal_name} ({application.product.code})"
                         + (f": {application.status_reason}" if application.status_reason else ""),
                    url=reverse("admin:loans_loanapplication_change", args=[application.pk]))
        for application in waiting[:SHOWN])
    return WaitingWork(label="Loan applications under review", count=waiting.count(), cases=cases,
                       url=reverse("admin:loans_loanapplication_changelist") + "?status__exact=under_review")


register_work_queue("loans.applications_under_review", applications_waiting_for, order=300)
