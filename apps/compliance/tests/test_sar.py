"""A SAR is drafted from a case, reviewed by a second officer through the approvals queue, filed as goAML XML
that validates, acknowledged by the FIU, and kept unchanged by the database once filed."""

import datetime
import hashlib
import io

import pytest
from django.db import IntegrityError, transaction
from lxml import etree
from pypdf import PdfReader

from apps.compliance.errors import SarRefused
from apps.compliance.goaml.schema import goaml_errors
from apps.compliance.models import SuspiciousActivityReport
from apps.compliance.models.alerts import CaseStatus
from apps.compliance.models.reports import SarStatus
from apps.compliance.sar_pdf import sar_pdf
from apps.compliance.services.sar import (
    draft_sar,
    file_sar,
    record_sar_acknowledgement,
    return_sar_to_draft,
    sar_content_intact,
    submit_sar_for_review,
)
from apps.compliance.tests.sar_fixtures import case, checker, drafter  # noqa: F401
from apps.organization.errors import CheckerIsMaker
from apps.organization.models import ApprovalRequest
from apps.organization.services import approve_request, reject_request

pytestmark = pytest.mark.django_db
FILED_AT = datetime.datetime(2026, 12, 1, 15, 0, tzinfo=datetime.UTC)


def approved_sar(case, drafter, checker) -> SuspiciousActivityReport:  # noqa: F811
    sar = draft_sar(case=case, reason="Cash far above the customer's declared income.",
                    action="Account under enhanced monitoring.", actor=drafter)
    approve_request(request=submit_sar_for_review(sar=sar, actor=drafter), checker=checker)
    sar.refresh_from_db()
    return sar


def filed_sar(case, drafter, checker) -> SuspiciousActivityReport:  # noqa: F811
    return file_sar(sar=approved_sar(case, drafter, checker), actor=drafter, now=FILED_AT)


def test_a_draft_reports_the_cases_alerted_transactions(case, drafter):  # noqa: F811
    sar = draft_sar(case=case, reason="Large cash.", actor=drafter)

    assert sar.status == SarStatus.DRAFT and sar.drafted_by == drafter
    assert [t.amount for t in sar.transactions.all()] == [t.amount for t in case.alerts.get().transactions.all()]


def test_the_drafter_cannot_approve_their_own_sar(case, drafter):  # noqa: F811
    sar = draft_sar(case=case, reason="Large cash.", actor=drafter)
    request = submit_sar_for_review(sar=sar, actor=drafter)

    with pytest.raises(CheckerIsMaker):
        approve_request(request=request, checker=drafter)

    sar.refresh_from_db()
    assert sar.status == SarStatus.IN_REVIEW and sar.approved_by is None
    assert ApprovalRequest.objects.get(pk=request.pk).state == ApprovalRequest.State.PENDING


def test_a_second_officer_approves_it_in_the_approvals_queue(case, drafter, checker):  # noqa: F811
    sar = approved_sar(case, drafter, checker)

    assert sar.status == SarStatus.APPROVED and sar.approved_by == checker
    assert sar.approval_request.state == ApprovalRequest.State.APPROVED


def test_a_rejected_review_gives_the_draft_back(case, drafter, checker):  # noqa: F811
    sar = draft_sar(case=case, reason="Large cash.", actor=drafter)
    request = submit_sar_for_review(sar=sar, actor=drafter)
    reject_request(request=request, checker=checker, reason="Say where the cash came from.")

    sar = return_sar_to_draft(sar=sar, actor=drafter)

    assert sar.status == SarStatus.DRAFT
    submit_sar_for_review(sar=sar, actor=drafter)  # and it can be sent again


def test_filing_stores_valid_goaml_with_its_hash_and_retention_and_closes_the_case(case, drafter, checker):  # noqa: F811
    sar = filed_sar(case, drafter, checker)

    assert sar.status == SarStatus.FILED and sar.filed_by == drafter and sar.filed_at == FILED_AT
    assert goaml_errors(sar.content.encode()) == []
    assert sar.content_sha256 == hashlib.sha256(sar.content.encode()).hexdigest() and sar_content_intact(sar)
    assert sar.retain_until == datetime.date(2031, 12, 1)
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED_SAR and case.closed_by == drafter and case.closed_at is not None


def test_the_export_has_the_subject_its_account_and_the_transaction_as_goaml_does(
        case, drafter, checker, customer, settings):  # noqa: F811
    settings.COMPLIANCE_GOAML_RENTITY_ID = 4242
    report = etree.fromstring(filed_sar(case, drafter, checker).content.encode())

    assert report.findtext("report_code") == "SAR" and report.findtext("rentity_id") == "4242"
    transaction_element = report.find("transaction")
    assert transaction_element.findtext("amount_local") == "12000.00"
    source, target = transaction_element.find("t_from_my_client"), transaction_element.find("t_to_my_client")
    assert source.findtext("from_person/last_name") == customer.legal_name.split()[-1]
    assert target.findtext("to_account/signatory/t_person/ssn") == customer.national_id_last4
    assert target.findtext("to_account/client_number") == str(customer.pk)


def test_filing_refuses_a_sar_not_approved_and_changes_nothing(case, drafter):  # noqa: F811
    sar = draft_sar(case=case, reason="Large cash.", actor=drafter)

    with pytest.raises(SarRefused):
        file_sar(sar=sar, actor=drafter)

    sar.refresh_from_db()
    case.refresh_from_db()
    assert sar.status == SarStatus.DRAFT and sar.content == "" and case.is_open


def test_the_fius_acknowledgement_is_recorded_once(case, drafter, checker):  # noqa: F811
    sar = filed_sar(case, drafter, checker)

    record_sar_acknowledgement(sar=sar, fiu_reference="FIU-2026-0042", actor=drafter)
    with pytest.raises(SarRefused):
        record_sar_acknowledgement(sar=sar, fiu_reference="FIU-2026-0043", actor=drafter)

    sar.refresh_from_db()
    assert sar.fiu_reference == "FIU-2026-0042" and sar.acknowledged_by == drafter


@pytest.mark.parametrize("change", [
    {"content": "<report/>"}, {"content_sha256": "0" * 64}, {"retain_until": datetime.date(2027, 1, 1)},
    {"status": SarStatus.APPROVED}, {"reason": "Something else."}, {"filed_at": FILED_AT + datetime.timedelta(1)},
])
def test_the_database_refuses_to_change_a_filed_sar(case, drafter, checker, change):  # noqa: F811
    sar = filed_sar(case, drafter, checker)

    with pytest.raises(IntegrityError), transaction.atomic():
        SuspiciousActivityReport.objects.filter(pk=sar.pk).update(**change)

    stored = SuspiciousActivityReport.objects.get(pk=sar.pk)
    assert (stored.content, stored.content_sha256, stored.retain_until, stored.status) == (
        sar.content, sar.content_sha256, sar.retain_until, SarStatus.FILED)


def test_the_database_refuses_to_delete_a_filed_sar_or_rewrite_its_acknowledgement(case, drafter, checker):  # noqa: F811
    sar = record_sar_acknowledgement(sar=filed_sar(case, drafter, checker), fiu_reference="FIU-1", actor=drafter)

    with pytest.raises(IntegrityError), transaction.atomic():
        SuspiciousActivityReport.objects.filter(pk=sar.pk).delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        SuspiciousActivityReport.objects.filter(pk=sar.pk).update(fiu_reference="FIU-2")

    assert SuspiciousActivityReport.objects.get(pk=sar.pk).fiu_reference == "FIU-1"


def test_the_database_lets_a_draft_change_and_go(case, drafter):  # noqa: F811
    sar = draft_sar(case=case, reason="Large cash.", actor=drafter)

    SuspiciousActivityReport.objects.filter(pk=sar.pk).update(reason="Large cash, twice.")
    SuspiciousActivityReport.objects.filter(pk=sar.pk).delete()

    assert not SuspiciousActivityReport.objects.exists()


def test_the_pdf_for_the_file_says_what_was_filed(case, drafter, checker, customer):  # noqa: F811
    sar = record_sar_acknowledgement(sar=filed_sar(case, drafter, checker), fiu_reference="FIU-9", actor=drafter)

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(sar_pdf(sar, viewer=drafter).read())).pages)

    assert f"Suspicious activity report {sar.pk}" in text and "DRAFT" not in text
    assert sar.content_sha256 in text.replace("\n", "") and "FIU-9" in text
    assert "Cash far above the customer's declared income." in text and "12000.00" in text


def test_a_drafts_pdf_is_marked_draft(case, drafter):  # noqa: F811
    sar = draft_sar(case=case, reason="Large cash.", actor=drafter)

    text = PdfReader(io.BytesIO(sar_pdf(sar, viewer=drafter).read())).pages[0].extract_text()

    assert "DRAFT" in text
