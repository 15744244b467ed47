"""Underwriting and approval of loan applications, under maker-checker with limits per role and currency.

- A loan officer **underwrites** an application under review whose latest score is complete (the bureau answered):
  records a recommendation, approve or reject, with reasons (``underwrite_application``). A newer recommendation
  replaces the older one, and approvals given to the older one no longer count.
- **Approval** (``approve_application``) is by a checker who is not the underwriter: within the checker's own limit
  (``apps/loans/approval_limits.py``) one approval suffices; above it, the checker must sit on the credit committee
  and the application is approved when two distinct committee members (neither the underwriter) have approved.
- **Rejection** (``reject_application``) carries reasons ({"code", "message"}), which the customer sees.
Everyone acts only on their own branch's applications (superusers anywhere). Each operation locks the application
row, so two checkers approving at once approve it once.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from apps.loans.approval_limits import (
    AUTHORITY_COMMITTEE,
    AUTHORITY_ROLE,
    COMMITTEE_PERMISSION,
    COMMITTEE_SIZE,
    limit_in_words,
    may_approve_alone,
)
from apps.loans.errors import LoanApplicationRefused, LoanApprovalRefused, NotAllowedToLend
from apps.loans.models import (
    ApplicationApproval,
    ApplicationStatus,
    LoanApplication,
    Recommendation,
    ScoringDecision,
    ScoringOutcome,
    UnderwritingRecommendation,
)
from apps.money import Money, format_amount
from apps.organization.models import User

UNDERWRITE_PERMISSION = "loans.underwrite_loanapplication"
APPROVE_PERMISSION = "loans.approve_loanapplication"
REJECT_PERMISSION = "loans.reject_loanapplication"
# Reasons an underwriter picks from (the customer reads the message); "other" takes the underwriter's own words.
REJECTION_REASONS = {
    "debt_to_income_too_high": "Your repayments would take too large a share of your income.",
    "insufficient_income": "Your income does not support the loan asked for.",
    "credit_history": "Your credit history does not meet the bank's criteria.",
    "bureau_default": "A credit bureau reports a loan in default.",
    "insufficient_deposit_history": "Your history with the bank is too short for this loan.",
    "policy": "The application does not meet the bank's lending policy.",
}


def _locked(application: LoanApplication) -> LoanApplication:
    return (LoanApplication.objects.select_for_update(of=("self",)).select_related("branch")
            .get(pk=application.pk))


def ensure_staff_of_branch(actor: User, application: LoanApplication, *, permissions: tuple[str, ...],
                            what: str) -> None:
    """Staff whose role holds one of ``permissions``, at the application's branch (superusers anywhere)."""
    if not actor.is_active or not actor.is_staff or not any(actor.has_perm(p) for p in permissions):
        raise NotAllowedToLend(f"Your role may not {what}.")
    if not actor.is_superuser and actor.home_branch_id != application.branch_id:
        raise NotAllowedToLend(f"You {what} for your own branch only, not {application.branch.code}.",
                               code="branch_trespass")


def _ensure_under_review(application: LoanApplication) -> None:
    if application.status != ApplicationStatus.UNDER_REVIEW:
        raise LoanApplicationRefused(f"Application {application.pk} is {application.get_status_display().lower()}, "
                                     "not under review.", code="application_not_under_review")


def normalized_reasons(reasons: list) -> list[dict]:
    """Reasons as [{"code", "message"}]: a known code takes its standard message; {"code": "other", "message"}
    or a plain string is the underwriter's own words."""
    normalized = []
    for reason in reasons:
        if isinstance(reason, str):
            reason = {"code": reason} if reason in REJECTION_REASONS else {"code": "other", "message": reason}
        code = str(reason.get("code", "other"))
        message = str(reason.get("message") or REJECTION_REASONS.get(code, "")).strip()
        if (code not in REJECTION_REASONS and code != "other") or not message:
            raise LoanApplicationRefused(f"Unknown rejection reason {code!r} or no message.",
                                         code="rejection_reason_invalid")
        normalized.append({"code": code, "message": message[:500]})
    return normalized


def latest_scoring(application: LoanApplication) -> ScoringDecision | None:
    return ScoringDecision.objects.filter(application_id=application.pk).order_by("-id").first()


def current_recommendation(application: LoanApplication) -> UnderwritingRecommendation | None:
    return UnderwritingRecommendation.objects.filter(application_id=application.pk).order_by("-id").first()


@transaction.atomic
def underwrite_application(*, application: LoanApplication, underwriter: User, recommendation: str,
                           reasons: list | None = None, note: str = "") -> UnderwritingRecommendation:
    """Record the underwriter's recommendation on an application under review, scored with the bureau's answer.
    A recommendation to reject needs reasons."""
    application = _locked(application)
    ensure_staff_of_branch(underwriter, application, permissions=(UNDERWRITE_PERMISSION,),
                            what="underwrite loan applications")
    _ensure_under_review(application)
    if recommendation not in Recommendation.values:
        raise LoanApplicationRefused(f"A recommendation is approve or reject, not {recommendation!r}.",
                                     code="recommendation_invalid")
    scoring = latest_scoring(application)
    if scoring is None or scoring.outcome == ScoringOutcome.INCOMPLETE:
        raise LoanApplicationRefused("The application has no complete score yet (the credit bureau has not "
                                     "answered): score it again first.", code="scoring_incomplete")
    reasons = normalized_reasons(reasons or [])
    if recommendation == Recommendation.REJECT and not reasons:
        raise LoanApplicationRefused("A recommendation to reject needs its reasons.", code="rejection_needs_reasons")
    made = UnderwritingRecommendation(application=application, scoring_decision=scoring, underwriter=underwriter,
                                      recommendation=recommendation, reasons=reasons, note=note)
    made._history_user = underwriter
    made.save()
    return made


@transaction.atomic
def approve_application(*, application: LoanApplication, checker: User) -> LoanApplication:
    """Approve (or add a committee member's approval to) an application the underwriter recommended approving.
    Refused to the underwriter, to a checker who already approved, and above the checker's limit unless they sit
    on the committee. Returns the application, approved once enough checkers have approved."""
    application = _locked(application)
    ensure_staff_of_branch(checker, application, permissions=(APPROVE_PERMISSION, COMMITTEE_PERMISSION),
                            what="approve loan applications")
    _ensure_under_review(application)
    recommended = current_recommendation(application)
    if recommended is None or recommended.recommendation != Recommendation.APPROVE:
        raise LoanApprovalRefused("Only an application its underwriter recommended approving can be approved.",
                                  code="not_recommended_for_approval")
    if recommended.underwriter_id == checker.pk:
        raise LoanApprovalRefused("You underwrote this application: another person approves it.",
                                  code="self_approval")
    if ApplicationApproval.objects.filter(recommendation=recommended, checker=checker).exists():
        raise LoanApprovalRefused("You already approved this application; another committee member must too.",
                                  code="already_approved_by_you")
    amount = Money(application.amount, application.currency)
    if checker.has_perm(APPROVE_PERMISSION) and may_approve_alone(checker, amount):
        authority, needed = AUTHORITY_ROLE, 1
    elif checker.has_perm(COMMITTEE_PERMISSION):
        authority, needed = AUTHORITY_COMMITTEE, COMMITTEE_SIZE
    else:
        raise LoanApprovalRefused(
            f"{format_amount(amount.amount, amount.currency)} is above "
            f"{limit_in_words(checker, amount.currency)}: the credit committee approves it.",
            code="approval_limit_exceeded")
    approval = ApplicationApproval(application=application, recommendation=recommended, checker=checker,
                                   authority=authority)
    approval._history_user = checker
    approval.save()
    if authority == AUTHORITY_COMMITTEE:
        given = ApplicationApproval.objects.filter(recommendation=recommended,
                                                   authority=AUTHORITY_COMMITTEE).count()
        if given < needed:
            application.status_reason = f"Approved by {given} of the {needed} credit committee members needed."
            application._history_user = checker
            application.save(update_fields=["status_reason"])
            return application
    application.status = ApplicationStatus.APPROVED
    application.decided_at = timezone.now()
    application.status_reason = ""
    application._history_user = checker
    application._change_reason = f"Underwritten by {recommended.underwriter}, approved by {checker}"
    application.save(update_fields=["status", "decided_at", "status_reason"])
    return application


@transaction.atomic
def reject_application(*, application: LoanApplication, actor: User, reasons: list) -> LoanApplication:
    """Reject an open application with its reasons (at least one), which the customer sees over the API."""
    application = _locked(application)
    ensure_staff_of_branch(actor, application, permissions=(REJECT_PERMISSION,), what="reject loan applications")
    if application.status not in (ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW):
        raise LoanApplicationRefused(f"Application {application.pk} is {application.get_status_display().lower()}: "
                                     "only an open application can be rejected.", code="application_not_open")
    reasons = normalized_reasons(reasons)
    if not reasons:
        raise LoanApplicationRefused("A rejection needs its reasons.", code="rejection_needs_reasons")
    application.status = ApplicationStatus.REJECTED
    application.rejection_reasons = reasons
    application.decided_at = timezone.now()
    application.status_reason = ""
    application._history_user = actor
    application.save(update_fields=["status", "rejection_reasons", "decided_at", "status_reason"])
    return application
