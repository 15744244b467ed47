"""The reports in the admin: the CTR register (ready first, filed by an action) and the SAR's page, through
drafting, the approvals queue, filing, the acknowledgement and the downloads; lists in a fixed number of queries."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from lxml import etree
from pypdf import PdfReader

from apps.accounts.tests.factories import open_account
from apps.compliance.models import CtrThreshold, CurrencyTransactionReport, SuspiciousActivityReport
from apps.compliance.models.reports import CtrStatus, SarStatus
from apps.compliance.services.ctr import aggregate_ctrs
from apps.compliance.services.sar import draft_sar
from apps.compliance.tests.report_fixtures import cash_in, local
from apps.compliance.tests.sar_fixtures import case, checker, drafter, with_permissions  # noqa: F401
from apps.customers.tests.factories import verified_customer
from apps.eod_registry import open_items
from apps.organization.models import ApprovalRequest
from apps.organization.tests.admin_approvals import admin_client, approve_in_admin

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def eur_threshold(db):
    """The EUR threshold the migration starts with (read again: a transactional test elsewhere flushes tables)."""
    return CtrThreshold.objects.get_or_create(currency="EUR", defaults={"amount": Decimal("10000.00")})[0]
MONDAY = datetime.date(2026, 12, 7)


def _ctrs(count, *, branch, savings, teller):
    for index in range(count):
        account = open_account(customer=verified_customer(branch=branch), product=savings, actor=teller)
        cash_in(account, "10500.00", teller=teller, at=local(MONDAY - datetime.timedelta(days=index * 7), "10:00"),
                business_date=MONDAY - datetime.timedelta(days=index * 7))
        aggregate_ctrs(business_date=MONDAY - datetime.timedelta(days=index * 7))


def test_the_ctr_register_lists_ready_entries_first_in_a_fixed_number_of_queries(
        branch_a, savings, teller_a, drafter, django_assert_max_num_queries):  # noqa: F811
    client = admin_client(drafter)
    url = reverse("admin:compliance_currencytransactionreport_changelist")
    client.get(url)
    _ctrs(1, branch=branch_a, savings=savings, teller=teller_a)
    with django_assert_max_num_queries(12) as one:
        client.get(url)
    _ctrs(3, branch=branch_a, savings=savings, teller=teller_a)
    CurrencyTransactionReport.objects.filter(business_date=MONDAY).update(
        status=CtrStatus.FILED, filed_at=local(MONDAY, "18:00"), filed_by=drafter, fiu_reference="F-1")
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(url).content.decode()
    assert "10,500.00 EUR" in page
    assert page.index('field-status">Ready to file') < page.index('field-status">Filed')


def test_the_file_action_files_the_selected_ctrs_with_the_acknowledgement_number(
        branch_a, savings, teller_a, drafter):  # noqa: F811
    _ctrs(2, branch=branch_a, savings=savings, teller=teller_a)
    ids = list(CurrencyTransactionReport.objects.values_list("pk", flat=True))

    admin_client(drafter).post(reverse("admin:compliance_currencytransactionreport_changelist"),
                               {"action": "file_with_fiu", "_selected_action": ids, "fiu_reference": "FIU-77"})

    assert set(CurrencyTransactionReport.objects.values_list("status", "fiu_reference")) == {("filed", "FIU-77")}


def test_the_file_action_without_an_acknowledgement_number_files_nothing(
        branch_a, savings, teller_a, drafter):  # noqa: F811
    _ctrs(1, branch=branch_a, savings=savings, teller=teller_a)
    ids = list(CurrencyTransactionReport.objects.values_list("pk", flat=True))

    admin_client(drafter).post(reverse("admin:compliance_currencytransactionreport_changelist"),
                               {"action": "file_with_fiu", "fiu_reference": "", "_selected_action": ids})

    assert CurrencyTransactionReport.objects.get().status == CtrStatus.READY


def test_a_sar_goes_from_draft_to_acknowledged_through_the_admin(case, drafter, checker):  # noqa: F811
    officer = admin_client(drafter)
    to_draft = officer.get(reverse("admin:compliance_sar_draft_for_case"), {"case": f"#{case.pk}"})
    assert to_draft.url == reverse("admin:compliance_sar_draft", args=[case.pk])
    draft_page = officer.get(reverse("admin:compliance_sar_draft", args=[case.pk])).content.decode()
    alerted = case.alerts.get().transactions.get()
    assert "12,000.00 EUR" in draft_page and f'value="{alerted.pk}"' in draft_page
    officer.post(reverse("admin:compliance_sar_draft", args=[case.pk]),
                 {"reason": "Cash far above the declared income.", "action": "Enhanced monitoring.",
                  "transactions": [alerted.pk]})
    sar = SuspiciousActivityReport.objects.get()
    assert list(sar.transactions.all()) == [alerted]
    page = reverse("admin:compliance_suspiciousactivityreport_change", args=[sar.pk])
    assert "Submit for review" in officer.get(page).content.decode()

    officer.post(reverse("admin:compliance_sar_operation", args=[sar.pk, "submit"]))
    review = ApprovalRequest.objects.get(operation="compliance.approve_sar")
    queue = admin_client(checker).get(reverse("admin:organization_approvalrequest_change", args=[review.pk]))
    assert f"Approve SAR {sar.pk} on case {case.pk}" in queue.content.decode()
    approve_in_admin(checker, review)
    sar.refresh_from_db()
    assert sar.status == SarStatus.APPROVED
    officer.post(reverse("admin:compliance_sar_operation", args=[sar.pk, "file"]))
    officer.post(reverse("admin:compliance_sar_operation", args=[sar.pk, "acknowledge"]), {"fiu_reference": "FIU-5"})

    sar.refresh_from_db()
    assert (sar.status, sar.fiu_reference) == (SarStatus.FILED, "FIU-5")
    xml = officer.get(reverse("admin:compliance_sar_xml", args=[sar.pk]))
    assert xml.content.decode() == sar.content and etree.fromstring(xml.content).findtext("report_code") == "SAR"
    pdf = b"".join(officer.get(reverse("admin:compliance_sar_pdf", args=[sar.pk])).streaming_content)
    assert "FIU-5" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def test_the_drafter_does_not_see_their_own_sar_in_their_approvals_queue(case, drafter):  # noqa: F811
    sar = draft_sar(case=case, reason="Large cash.", actor=drafter)
    admin_client(drafter).post(reverse("admin:compliance_sar_operation", args=[sar.pk, "submit"]))

    approve_in_admin(drafter, ApprovalRequest.objects.get(operation="compliance.approve_sar"))

    sar.refresh_from_db()
    assert sar.status == SarStatus.IN_REVIEW and sar.approved_by is None


def test_the_sar_list_takes_a_fixed_number_of_queries(case, drafter, django_assert_max_num_queries):  # noqa: F811
    client = admin_client(drafter)
    url = reverse("admin:compliance_suspiciousactivityreport_changelist")
    client.get(url)
    draft_sar(case=case, reason="Large cash.", actor=drafter)
    with django_assert_max_num_queries(12) as one:
        client.get(url)
    for number in range(3):
        other_case = type(case).objects.create(customer=verified_customer(branch=case.customer.branch),
                                               detected_on=case.detected_on, sar_due_on=case.sar_due_on)
        draft_sar(case=other_case, reason=f"Large cash {number}.", actor=drafter)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count('field-status">Draft') == 4 and "Draft a SAR for case" in page


def test_saving_a_ctr_threshold_in_the_admin_proposes_the_change(ops_admin):
    maker = with_permissions(ops_admin, ["compliance.view_ctrthreshold", "compliance.change_ctrthreshold"])
    eur = CtrThreshold.objects.get(currency="EUR")

    admin_client(maker).post(reverse("admin:compliance_ctrthreshold_change", args=[eur.pk]),
                             {"currency": "EUR", "amount": "12000.00"})

    assert CtrThreshold.objects.get(currency="EUR").amount == Decimal("10000.00")
    request = ApprovalRequest.objects.get(operation="compliance.change_ctr_threshold")
    assert [(c["field"], c["after"]) for c in request.parameters["changes"]] == [("amount", "12000.0000")]


def test_the_end_of_day_screen_counts_the_ctrs_to_file(branch_a, savings, teller_a):
    _ctrs(2, branch=branch_a, savings=savings, teller=teller_a)

    item = next(i for i in open_items(MONDAY) if i.label == "CTRs to file with the FIU")

    assert item.count == 2 and item.url.endswith("?status__exact=ready")
