"""Reads of loan applications: a customer's own, a staff member's branch's (the queue), one with its evidence."""

from __future__ import annotations

from django.db.models import OuterRef, Q, QuerySet, Subquery

from apps.loans.errors import LoanApplicationNotFound
from apps.loans.models import (
    ApplicationStatus,
    LoanApplication,
    ScoringDecision,
    ScoringOutcome,
    UnderwritingRecommendation,
)
from apps.organization.branch_scope import is_bank_wide
from apps.organization.models import User


def with_latest_score(applications: QuerySet[LoanApplication]) -> QuerySet[LoanApplication]:
    """Annotate ``latest_score`` and ``latest_outcome`` (the newest scoring) and ``latest_recommendation``, in the
    list's own query."""
    newest = ScoringDecision.objects.filter(application=OuterRef("pk")).order_by("-id")
    recommended = UnderwritingRecommendation.objects.filter(application=OuterRef("pk")).order_by("-id")
    return applications.annotate(latest_score=Subquery(newest.values("score")[:1]),
                                 latest_outcome=Subquery(newest.values("outcome")[:1]),
                                 latest_recommendation=Subquery(recommended.values("recommendation")[:1]))


def applications_of_customer_user(user: User) -> QuerySet[LoanApplication]:
    """A channel login's own customer's applications, newest first; nobody else's, ever."""
    if not user.is_authenticated or user.is_staff:
        return LoanApplication.objects.none()
    return LoanApplication.objects.filter(customer__user_id=user.pk).select_related("product")


def applications_visible_to_staff(user: User) -> QuerySet[LoanApplication]:
    """The applications of the staff member's branch (every branch for bank-wide roles), if their role sees
    applications at all."""
    if not user.is_active or not user.is_staff or not user.has_perm("loans.view_loanapplication"):
        return LoanApplication.objects.none()
    applications = LoanApplication.objects.select_related("customer", "product", "branch")
    if is_bank_wide(user):
        return applications
    return applications.filter(branch_id=user.home_branch_id)


def applications_waiting_for_a_score(*, submitted_before) -> QuerySet[LoanApplication]:
    """Open applications the scoring has not completed: submitted before ``submitted_before`` and never scored
    (the task was not sent: the broker was down), or under review whose newest score is incomplete (the bureau was
    down). Oldest first."""
    newest = ScoringDecision.objects.filter(application=OuterRef("pk")).order_by("-id")
    return (LoanApplication.objects.annotate(latest_outcome=Subquery(newest.values("outcome")[:1]))
            .filter(Q(status=ApplicationStatus.SUBMITTED, latest_outcome__isnull=True,
                      submitted_at__lt=submitted_before)
                    | Q(status=ApplicationStatus.UNDER_REVIEW, latest_outcome=ScoringOutcome.INCOMPLETE))
            .select_related("customer", "product").order_by("submitted_at", "id"))


def get_application(pk: object, *, within: QuerySet[LoanApplication]) -> LoanApplication:
    text = str(pk)
    if not text.isascii() or not text.isdigit() or not 0 < int(text) < 2**63:
        raise LoanApplicationNotFound(f"No loan application {text[:20]}.")
    application = within.filter(pk=int(text)).first()
    if application is None:
        raise LoanApplicationNotFound(f"No loan application {text} that you may see.")
    return application
