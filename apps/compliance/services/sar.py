"""Suspicious activity reports (SAR): drafted from a case, reviewed by a second officer (maker-checker through the
approvals queue), then filed with the FIU as goAML XML, and the FIU's acknowledgement recorded.

    draft -> in review -> approved -> filed (-> acknowledged)
             (rejected or expired review: back to draft)

Filing renders the goAML XML, validates it against the schema of what we emit (apps/compliance/goaml), and
stores it with its SHA-256; the report is then kept unchanged until ``retain_until`` (filing date +
``COMPLIANCE_RETENTION_YEARS``): the database refuses any change of the content, hash, filing or retention, and
any DELETE. Filing closes the case "with a SAR".
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from apps.compliance.errors import SarExportInvalid, SarRefused
from apps.compliance.goaml.sar_xml import render_sar_xml
from apps.compliance.goaml.schema import goaml_errors
from apps.compliance.models import Case, MonitoredTransaction, SuspiciousActivityReport
from apps.compliance.models.reports import SarStatus
from apps.compliance.services.cases import close_case_with_sar
from apps.domain_errors import PermissionRefused
from apps.organization.models import ApprovalRequest, User
from apps.organization.services import request_approval

APPROVE_SAR = "compliance.approve_sar"


def case_transactions(case: Case) -> QuerySet[MonitoredTransaction]:
    """The movements of the case's alerts: what a SAR drafted from it reports, unless the officer chooses."""
    return MonitoredTransaction.objects.filter(alerts__case=case).distinct().order_by("occurred_at", "id")


def _may(actor: User, permission: str, doing: str) -> None:
    if not actor.has_perm(permission):
        raise PermissionRefused(f"Your role may not {doing}.")


def _locked(sar: SuspiciousActivityReport) -> SuspiciousActivityReport:
    return SuspiciousActivityReport.objects.select_for_update().get(pk=sar.pk)


def _checked_transactions(case: Case, transactions: Iterable[MonitoredTransaction] | None) -> list:
    rows = list(case_transactions(case) if transactions is None else transactions)
    strangers = [row.pk for row in rows if row.customer_id != case.customer_id]
    if strangers:
        raise SarRefused(f"Transactions {strangers} are not of the case's customer.")
    return rows


@transaction.atomic
def draft_sar(*, case: Case, reason: str, action: str = "", actor: User,
              transactions: Iterable[MonitoredTransaction] | None = None) -> SuspiciousActivityReport:
    """Draft a SAR from a case under investigation: why the activity is suspicious, what the bank did, and the
    transactions it reports (the case's alerts' movements unless given)."""
    _may(actor, "compliance.draft_sar", "draft suspicious activity reports")
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not case.is_open:
        raise SarRefused(f"{case} is closed: a SAR is drafted from a case under investigation.")
    if not reason.strip():
        raise SarRefused("Say why the activity is suspicious.")
    if SuspiciousActivityReport.objects.filter(case=case).exclude(status=SarStatus.FILED).exists():
        raise SarRefused(f"{case} has a SAR in the making already: change that one.")
    rows = _checked_transactions(case, transactions)
    sar = SuspiciousActivityReport(case=case, reason=reason.strip(), action=action.strip(), drafted_by=actor)
    sar._history_user = actor
    sar.save()
    sar.transactions.set(rows)
    return sar


@transaction.atomic
def change_sar_draft(*, sar: SuspiciousActivityReport, reason: str, action: str, actor: User,
                     transactions: Iterable[MonitoredTransaction] | None = None) -> SuspiciousActivityReport:
    """Change a draft's reason, action or transactions (``transactions`` None: keep them)."""
    _may(actor, "compliance.draft_sar", "draft suspicious activity reports")
    sar = _locked(sar)
    if sar.status != SarStatus.DRAFT:
        raise SarRefused(f"{sar} is {sar.get_status_display().lower()}: only a draft changes.")
    if not reason.strip():
        raise SarRefused("Say why the activity is suspicious.")
    sar.reason, sar.action = reason.strip(), action.strip()
    sar._history_user = actor
    sar.save(update_fields=["reason", "action"])
    if transactions is not None:
        sar.transactions.set(_checked_transactions(sar.case, transactions))
    return sar


@transaction.atomic
def submit_sar_for_review(*, sar: SuspiciousActivityReport, actor: User) -> ApprovalRequest:
    """Send a draft to the approvals queue: a second officer who may approve SARs approves it there."""
    _may(actor, "compliance.draft_sar", "submit suspicious activity reports")
    sar = _locked(sar)
    if sar.status != SarStatus.DRAFT:
        raise SarRefused(f"{sar} is {sar.get_status_display().lower()}: only a draft is submitted.")
    if not sar.transactions.exists():
        raise SarRefused("A SAR reports at least one transaction.")
    request = request_approval(operation=APPROVE_SAR, parameters={"sar_id": sar.pk},
                               summary=f"Approve SAR {sar.pk} on case {sar.case_id}", maker=actor)
    sar.status, sar.approval_request = SarStatus.IN_REVIEW, request
    sar._history_user = actor
    sar.save(update_fields=["status", "approval_request"])
    return request


@transaction.atomic
def return_sar_to_draft(*, sar: SuspiciousActivityReport, actor: User) -> SuspiciousActivityReport:
    """A review that ended without an approval (rejected, expired, failed) gives the report back as a draft."""
    _may(actor, "compliance.draft_sar", "draft suspicious activity reports")
    sar = _locked(sar)
    request = sar.approval_request
    if sar.status != SarStatus.IN_REVIEW or request is None or request.state == ApprovalRequest.State.PENDING:
        raise SarRefused(f"{sar} is not back from a review that ended without an approval.")
    if request.state == ApprovalRequest.State.APPROVED:
        raise SarRefused(f"{sar} was approved.")
    sar.status = SarStatus.DRAFT
    sar._history_user = actor
    sar._change_reason = f"Review #{request.pk} ended {request.state}"
    sar.save(update_fields=["status"])
    return sar


def describe_sar_review(parameters: dict[str, Any]) -> str:
    sar = SuspiciousActivityReport.objects.select_related("case").get(pk=parameters["sar_id"])
    return (f"Approve SAR {sar.pk} on case {sar.case_id} (customer {sar.case.customer_id}), "
            f"{sar.transactions.count()} transaction(s), for filing with the FIU: {sar.reason[:200]}")


@transaction.atomic
def approve_sar(*, parameters: dict[str, Any], actor: User, maker: User) -> dict[str, Any]:
    """The approvals queue's runner: the checker approves the report for filing. The drafter never approves
    their own report, whoever submitted it."""
    sar = SuspiciousActivityReport.objects.select_for_update().get(pk=parameters["sar_id"])
    if actor.pk in (sar.drafted_by_id, maker.pk):
        raise PermissionRefused("You drafted this SAR: another officer approves it.")
    if sar.status != SarStatus.IN_REVIEW:
        raise SarRefused(f"{sar} is {sar.get_status_display().lower()}, not in review.")
    sar.status, sar.approved_by = SarStatus.APPROVED, actor
    sar._history_user = actor
    sar.save(update_fields=["status", "approved_by"])
    return {"sar": sar.pk}


def retention_end(filed_on: datetime.date) -> datetime.date:
    return filed_on + relativedelta(years=settings.COMPLIANCE_RETENTION_YEARS)


@transaction.atomic
def file_sar(*, sar: SuspiciousActivityReport, actor: User,
             now: datetime.datetime | None = None) -> SuspiciousActivityReport:
    """File an approved SAR: its goAML XML, validated, stored with its SHA-256, kept until ``retain_until``; the
    case closes with the SAR. An export that does not validate files nothing."""
    _may(actor, "compliance.file_sar", "file suspicious activity reports")
    sar = _locked(sar)
    if sar.status != SarStatus.APPROVED:
        raise SarRefused(f"{sar} is {sar.get_status_display().lower()}: only an approved SAR is filed.")
    now = now or timezone.now()
    content = render_sar_xml(sar, filed_by=actor, filed_at=now)
    errors = goaml_errors(content)
    if errors:
        raise SarExportInvalid("The goAML export does not validate: " + "; ".join(errors[:5]))
    sar.content = content.decode("utf-8")
    sar.content_sha256 = hashlib.sha256(content).hexdigest()
    sar.status, sar.filed_at, sar.filed_by = SarStatus.FILED, now, actor
    sar.retain_until = retention_end(timezone.localdate(now))
    sar._history_user = actor
    sar.save(update_fields=["content", "content_sha256", "status", "filed_at", "filed_by", "retain_until"])
    close_case_with_sar(case=sar.case, actor=actor, sar=sar)
    return sar


@transaction.atomic
def record_sar_acknowledgement(*, sar: SuspiciousActivityReport, fiu_reference: str, actor: User,
                               now: datetime.datetime | None = None) -> SuspiciousActivityReport:
    """Record the acknowledgement number the FIU gave a filed SAR; once (the database keeps it)."""
    _may(actor, "compliance.file_sar", "record the FIU's acknowledgements")
    reference = fiu_reference.strip()
    if not reference:
        raise SarRefused("Give the FIU's acknowledgement number.")
    sar = _locked(sar)
    if sar.status != SarStatus.FILED:
        raise SarRefused(f"{sar} is not filed yet.")
    if sar.fiu_reference:
        raise SarRefused(f"{sar} was acknowledged as {sar.fiu_reference}.")
    sar.fiu_reference, sar.acknowledged_at, sar.acknowledged_by = reference, now or timezone.now(), actor
    sar._history_user = actor
    sar.save(update_fields=["fiu_reference", "acknowledged_at", "acknowledged_by"])
    return sar


def sar_content_intact(sar: SuspiciousActivityReport) -> bool:
    """The stored content still has the hash it was filed with."""
    return hashlib.sha256(sar.content.encode("utf-8")).hexdigest() == sar.content_sha256
