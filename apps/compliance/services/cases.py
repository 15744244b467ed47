"""What compliance officers do with a case: assign it, note it, investigate, escalate, say whether a suspect is
known (which sets the SAR deadline), and close it — as a false positive (four-eyes above the configured risk,
through the maker-checker of apps.organization.approvals) or with a SAR (called by the SAR's filing).

Every service takes the acting user, checks the role's permission here (not in the admin), locks the case, and
raises a domain error that changes nothing when it refuses. The case's history (simple-history) records each
change with its author; the timeline of the case page reads it back."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from apps.compliance.errors import (
    AssigneeNotComplianceOfficer,
    CaseNotFound,
    CaseNotOpen,
    CaseTransitionRefused,
    ClosureAlreadyProposed,
    CompliancePermissionRefused,
    FourEyesRequired,
    ReasonRequired,
    SarNotForCase,
)
from apps.compliance.models import Case, CaseNote, SuspiciousActivityReport
from apps.compliance.models.alerts import CaseStatus
from apps.compliance.models.reports import SarStatus
from apps.compliance.services.alerts import sar_due_on
from apps.organization.models import ApprovalRequest
from apps.organization.services import request_approval

User = get_user_model()

WORK_ON_CASE = "compliance.change_case"
ADD_NOTE = "compliance.add_casenote"
CLOSE_CASE = "compliance.close_case"
DECIDE_CLOSURE = "compliance.decide_case_closure"
# The maker-checker operation a risky false-positive closure waits in (apps/compliance/approvals.py).
CLOSE_AS_FALSE_POSITIVE = "compliance.close_case_as_false_positive"


def _require(actor: User, permission: str, doing: str) -> None:
    if not actor.is_active or not actor.has_perm(permission):
        raise CompliancePermissionRefused(f"Your role may not {doing}.")


def _locked(case: Case, *, open_only: bool = True) -> Case:
    """The case read again under its lock: what it is now, not what the caller's copy says."""
    locked = Case.objects.select_for_update().filter(pk=case.pk).first()
    if locked is None:
        raise CaseNotFound(f"No case {case.pk}.")
    if open_only and not locked.is_open:
        raise CaseNotOpen(f"Case {locked.pk} is {locked.get_status_display().lower()}.")
    return locked


def _save(case: Case, actor: User, fields: list[str]) -> Case:
    case._history_user = actor
    case.save(update_fields=fields)
    return case


def needs_four_eyes(case: Case) -> bool:
    """A false-positive closure needs a second officer when the case's risk is above the configured figure."""
    return case.risk_score > settings.COMPLIANCE_FALSE_POSITIVE_FOUR_EYES_RISK


@transaction.atomic
def assign_case(*, case: Case, assignee: User, actor: User) -> Case:
    """Give the case to a compliance officer (an active user whose role works on cases)."""
    _require(actor, WORK_ON_CASE, "assign cases")
    if not (assignee.is_active and assignee.is_staff and assignee.has_perm(WORK_ON_CASE)):
        raise AssigneeNotComplianceOfficer(f"{assignee.get_username()} is not a compliance officer.")
    case = _locked(case)
    case.assignee = assignee
    return _save(case, actor, ["assignee"])


@transaction.atomic
def add_case_note(*, case: Case, text: str, actor: User) -> CaseNote:
    """A note on the case, open or closed; written once, never edited (a correction is another note)."""
    _require(actor, ADD_NOTE, "write notes on cases")
    if not text.strip():
        raise ReasonRequired("Write the note.")
    case = _locked(case, open_only=False)
    return CaseNote.objects.create(case=case, author=actor, text=text.strip())


@transaction.atomic
def start_investigating(*, case: Case, actor: User) -> Case:
    """Open → investigating; an unassigned case becomes the actor's."""
    _require(actor, WORK_ON_CASE, "investigate cases")
    case = _locked(case)
    if case.status != CaseStatus.OPEN:
        raise CaseTransitionRefused(f"Case {case.pk} is already {case.get_status_display().lower()}.")
    case.status = CaseStatus.INVESTIGATING
    fields = ["status"]
    if case.assignee_id is None:
        case.assignee = actor
        fields.append("assignee")
    return _save(case, actor, fields)


@transaction.atomic
def escalate_case(*, case: Case, reason: str, actor: User) -> Case:
    """Open or investigating → escalated, with the reason kept as a note on the case."""
    _require(actor, WORK_ON_CASE, "escalate cases")
    if not reason.strip():
        raise ReasonRequired("Say why the case is escalated.")
    case = _locked(case)
    if case.status == CaseStatus.ESCALATED:
        raise CaseTransitionRefused(f"Case {case.pk} is already escalated.")
    case.status = CaseStatus.ESCALATED
    _save(case, actor, ["status"])
    CaseNote.objects.create(case=case, author=actor, text=f"Escalated: {reason.strip()}")
    return case


@transaction.atomic
def record_suspect_known(*, case: Case, suspect_known: bool, actor: User) -> Case:
    """Whether a suspect is known sets the SAR deadline: COMPLIANCE_SAR_DAYS after the first alert's detection,
    or COMPLIANCE_SAR_DAYS_NO_SUSPECT when none is known."""
    _require(actor, WORK_ON_CASE, "change cases")
    case = _locked(case)
    case.suspect_known = suspect_known
    case.sar_due_on = sar_due_on(detected_on=case.detected_on, suspect_known=suspect_known)
    return _save(case, actor, ["suspect_known", "sar_due_on"])


def _close(case: Case, *, status: str, reason: str, closed_by: User, approved_by: User | None,
           actor: User) -> Case:
    case.status = status
    case.closure_reason = reason
    case.closed_at = timezone.now()
    case.closed_by = closed_by
    case.closure_approved_by = approved_by
    return _save(case, actor, ["status", "closure_reason", "closed_at", "closed_by", "closure_approved_by"])


def pending_closure(case: Case) -> ApprovalRequest | None:
    """The false-positive closure of ``case`` waiting for a second officer, if any."""
    return (ApprovalRequest.objects.filter(operation=CLOSE_AS_FALSE_POSITIVE, state=ApprovalRequest.State.PENDING,
                                           expires_at__gt=timezone.now(), parameters__case=case.pk)
            .order_by("id").first())


@transaction.atomic
def close_case_as_false_positive(*, case: Case, reason: str, actor: User) -> Case:
    """Close the case as a false positive on the actor's word alone: only at or below the four-eyes risk."""
    _require(actor, CLOSE_CASE, "close cases")
    if not reason.strip():
        raise ReasonRequired("Say why the alerts are a false positive.")
    case = _locked(case)
    if needs_four_eyes(case):
        raise FourEyesRequired(f"Case {case.pk} has risk {case.risk_score}, above "
                               f"{settings.COMPLIANCE_FALSE_POSITIVE_FOUR_EYES_RISK}: a second compliance officer "
                               "must approve closing it as a false positive.")
    if pending_closure(case) is not None:
        raise ClosureAlreadyProposed(f"A closure of case {case.pk} is already waiting for approval.")
    return _close(case, status=CaseStatus.CLOSED_FALSE_POSITIVE, reason=reason.strip(), closed_by=actor,
                  approved_by=None, actor=actor)


@transaction.atomic
def propose_false_positive_closure(*, case: Case, reason: str, actor: User) -> Case | ApprovalRequest:
    """Close as a false positive: at once when the risk allows one officer, else a maker-checker request that a
    different compliance officer approves (which closes it) or rejects (the case stays as it is)."""
    _require(actor, CLOSE_CASE, "close cases")
    if not reason.strip():
        raise ReasonRequired("Say why the alerts are a false positive.")
    case = _locked(case)
    if not needs_four_eyes(case):
        return close_case_as_false_positive(case=case, reason=reason, actor=actor)
    if pending_closure(case) is not None:
        raise ClosureAlreadyProposed(f"A closure of case {case.pk} is already waiting for approval.")
    return request_approval(
        operation=CLOSE_AS_FALSE_POSITIVE, parameters={"case": case.pk, "reason": reason.strip()},
        summary=f"Close case {case.pk} (risk {case.risk_score}) as a false positive: {reason.strip()}",
        maker=actor, branch=None)


def run_approved_false_positive_closure(*, parameters: dict[str, Any], actor: User, maker: User) -> dict[str, Any]:
    """The approved request's run: the checker (``actor``) approves the maker's closure. The framework has checked
    that they are two people; the case must still be open."""
    if not actor.has_perm(DECIDE_CLOSURE):
        raise CompliancePermissionRefused("Your role may not approve closing cases.")
    case = Case.objects.filter(pk=parameters["case"]).first()
    if case is None:
        raise CaseNotFound(f"No case {parameters['case']}.")
    case = _locked(case)
    _close(case, status=CaseStatus.CLOSED_FALSE_POSITIVE, reason=parameters["reason"], closed_by=maker,
           approved_by=actor, actor=actor)
    return {"case": case.pk, "status": case.get_status_display()}


@transaction.atomic
def close_case_with_sar(*, case: Case, actor: User, sar: SuspiciousActivityReport) -> Case:
    """Close the case because a SAR was filed for it (called by the SAR's filing, in its transaction): the SAR
    must be the case's and approved or filed."""
    _require(actor, CLOSE_CASE, "close cases")
    if sar.case_id != case.pk:
        raise SarNotForCase(f"SAR {sar.pk} is case {sar.case_id}'s, not case {case.pk}'s.")
    if sar.status not in (SarStatus.APPROVED, SarStatus.FILED):
        raise SarNotForCase(f"SAR {sar.pk} is {sar.get_status_display().lower()}: it closes the case once "
                            "approved.")
    case = _locked(case)
    return _close(case, status=CaseStatus.CLOSED_SAR, reason=f"SAR {sar.pk} filed.", closed_by=actor,
                  approved_by=sar.approved_by, actor=actor)
