"""The compliance officer's admin: the alert queue (shadow alerts apart), the cases by SAR deadline with overdue
flags, the case page's timeline and linked transactions, and its operations calling the services — whose
refusal comes back on the form with nothing written. Lists answer in a fixed number of queries."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.compliance.models import Alert, Case, CaseNote, CurrencyTransactionReport, Suppression, TypologySetting
from apps.compliance.models.alerts import AlertDisposition, CaseStatus
from apps.compliance.services.cases import CLOSE_AS_FALSE_POSITIVE
from apps.compliance.services.suppressions import create_suppression
from apps.compliance.tests.case_fixtures import alerted_case
from apps.customers.tests.factories import verified_customer
from apps.organization import roles
from apps.organization.models import ApprovalRequest, Bank
from apps.organization.selectors import current_business_date
from apps.organization.tests.admin_approvals import admin_client
from apps.organization.tests.factories import StaffFactory

pytestmark = pytest.mark.django_db
ALERTS = reverse("admin:compliance_alert_changelist")
CASES = reverse("admin:compliance_case_changelist")


def _queries(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url)
    assert page.status_code == 200
    return len(queries), page.content.decode()


def _page(case):
    return reverse("admin:compliance_case_change", args=[case.pk])


def _operation(case, name):
    return reverse(f"admin:compliance_case_{name}", args=[case.pk])


@pytest.fixture
def case(customer, savings, teller_a):
    return alerted_case(customer, savings, teller_a)


@pytest.fixture
def officer(compliance_officer):
    return admin_client(compliance_officer)


def test_the_alert_queue_and_the_case_list_answer_in_a_fixed_number_of_queries(
        case, officer, branch_a, savings, teller_a, django_assert_max_num_queries):
    officer.get(ALERTS)
    officer.get(CASES)  # session and permissions cached
    few_alerts, _ = _queries(officer, ALERTS)
    few_cases, _ = _queries(officer, CASES)
    for n in range(4):
        alerted_case(verified_customer(branch=branch_a, legal_name=f"Customer {n}"), savings, teller_a)

    with django_assert_max_num_queries(few_alerts):
        page = officer.get(ALERTS)
    assert page.content.decode().count("Cash deposit of") == 5
    with django_assert_max_num_queries(few_cases):
        page = officer.get(CASES)
    assert page.content.decode().count("unassigned") == 5


def test_shadow_alerts_are_listed_apart_from_the_queue(case, officer, customer, savings, teller_a):
    setting = TypologySetting.objects.get(typology="large_cash")
    TypologySetting.objects.create(typology="large_cash", currency="EUR", mode="shadow",
                                   parameters={"amount_at_least": "5000"})
    alerted_case(customer, savings, teller_a, amounts=("6000.00",))
    shadow = Alert.objects.get(disposition=AlertDisposition.SHADOW)
    queued = Alert.objects.get(setting=setting)

    _, queue = _queries(officer, ALERTS)
    _, shadows = _queries(officer, ALERTS + "?disposition=shadow")

    assert f">{queued.pk}<" in queue and f">{shadow.pk}<" not in queue
    assert f">{shadow.pk}<" in shadows and f">{queued.pk}<" not in shadows


def test_the_case_list_flags_overdue_cases(case, officer, branch_a):
    Bank.objects.update(current_business_date=case.sar_due_on + datetime.timedelta(days=1))

    _, page = _queries(officer, CASES)
    _, overdue = _queries(officer, CASES + "?deadline=overdue")

    assert "OVERDUE" in page and f"/{case.pk}/change/" in overdue


def test_the_case_page_shows_the_timeline_and_the_transactions_as_alerted(case, officer, compliance_officer):
    officer.post(_operation(case, "note"), {"text": "Asked the branch for the source of funds."})
    officer.post(_operation(case, "investigate"), {})

    page = officer.get(_page(case)).content.decode()

    alert = case.alerts.get()
    assert f"Alert #{alert.pk}" in page
    assert "Asked the branch for the source of funds." in page
    assert "Status: Open \u2192 Investigating" in page
    assert f"Assigned to {compliance_officer.username}" in page
    assert "12,000.00 EUR" in page and "Cash deposit" in page
    for operation in ("assign", "note", "escalate", "suspect", "close", "suppress"):
        assert _operation(case, operation) in page


def test_the_operations_call_the_services(case, officer, compliance_officer, branch_a):
    colleague = StaffFactory(role=roles.COMPLIANCE_OFFICER, home_branch=branch_a)

    officer.post(_operation(case, "assign"), {"assignee": colleague.pk})
    officer.post(_operation(case, "suspect"), {"suspect_known": "no"})
    officer.post(_operation(case, "escalate"), {"reason": "Cash at three branches"})

    case.refresh_from_db()
    assert (case.assignee, case.suspect_known, case.status) == (colleague, False, CaseStatus.ESCALATED)
    assert case.sar_due_on - case.detected_on == datetime.timedelta(days=60)


def test_a_refusal_comes_back_on_the_form_and_changes_nothing(case, officer, teller_a):
    officer.post(_operation(case, "escalate"), {"reason": "first"})
    notes, history = CaseNote.objects.count(), case.history.count()

    again = officer.post(_operation(case, "escalate"), {"reason": "again"})
    not_an_officer = officer.post(_operation(case, "assign"), {"assignee": teller_a.pk})

    assert again.status_code == 200 and "is already escalated" in again.content.decode()
    assert not_an_officer.status_code == 200  # the form refuses a teller: not in the choices
    assert (CaseNote.objects.count(), case.history.count()) == (notes, history)


def test_a_risky_false_positive_is_proposed_in_the_admin_and_approved_by_a_second_officer(
        customer, savings, teller_a, officer, compliance_officer, branch_a):
    case = alerted_case(customer, savings, teller_a, risk=80)
    second = StaffFactory(role=roles.COMPLIANCE_OFFICER, home_branch=branch_a)

    officer.post(_operation(case, "close"), {"reason": "Known supplier payments"})
    request = ApprovalRequest.objects.get(operation=CLOSE_AS_FALSE_POSITIVE)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.OPEN
    assert f"request #{request.pk}" in officer.get(_page(case)).content.decode()

    own = officer.post(reverse("admin:organization_approvalrequest_decide", args=[request.pk]),
                       {"decision": "approve"})
    assert own.status_code == 302 and Case.objects.get(pk=case.pk).status == CaseStatus.OPEN

    checker = admin_client(second)
    assert "Approve" in checker.get(reverse("admin:organization_approvalrequest_change",
                                            args=[request.pk])).content.decode()
    checker.post(reverse("admin:organization_approvalrequest_decide", args=[request.pk]), {"decision": "approve"})

    case.refresh_from_db()
    assert (case.status, case.closed_by, case.closure_approved_by) == (
        CaseStatus.CLOSED_FALSE_POSITIVE, compliance_officer, second)
    page = checker.get(_page(case)).content.decode()
    assert f"Request #{request.pk} approved" in page and "(four-eyes)" in page


def test_a_suppression_is_made_from_the_case_and_lifted_from_the_list(case, officer, customer):
    today = current_business_date()
    refused = officer.post(_operation(case, "suppress"), {"typology": "large_cash", "reason": "Shop takings",
                                                          "expires_on": today.isoformat()})
    assert "expires after the business date" in refused.content.decode() and Suppression.objects.count() == 0

    officer.post(_operation(case, "suppress"), {"typology": "large_cash", "reason": "Shop takings",
                                                "expires_on": (today + datetime.timedelta(days=30)).isoformat()})
    suppression = Suppression.objects.get()
    assert (suppression.customer, suppression.typology) == (customer, "large_cash")

    listed = reverse("admin:compliance_suppression_changelist")
    one, page = _queries(officer, listed)
    assert "Shop takings" in page
    for n in range(3):
        create_suppression(customer=verified_customer(branch=customer.branch), typology="", reason=f"Known {n}",
                           expires_on=today + datetime.timedelta(days=9), business_date=today,
                           actor=suppression.created_by)
    four, page = _queries(officer, listed)
    assert four == one and all(f"Known {n}" in page for n in range(3))
    officer.post(reverse("admin:compliance_suppression_changelist"),
                 {"action": "lift", "_selected_action": [suppression.pk]})
    suppression.refresh_from_db()
    assert suppression.lifted_by is not None


def test_a_teller_sees_no_case_and_an_auditor_reads_without_operations(case, teller_a, auditor):
    assert admin_client(teller_a).get(_page(case)).status_code in (302, 403)
    assert admin_client(teller_a).post(_operation(case, "note"), {"text": "x"}).status_code in (302, 403)
    assert CaseNote.objects.count() == 0

    page = admin_client(auditor).get(_page(case))
    assert page.status_code == 200 and _operation(case, "note") not in page.content.decode()
    refused = admin_client(auditor).post(_operation(case, "note"), {"text": "x"})
    assert refused.status_code == 200 and CaseNote.objects.count() == 0


def test_the_compliance_officers_home_shows_the_queues_and_the_alerts_chart(case, officer, customer):
    CurrencyTransactionReport.objects.create(customer=customer, business_date=case.detected_on, currency="EUR",
                                             cash_in=Decimal("12100.00"), cash_out=Decimal("0.00"),
                                             threshold=Decimal("10000.00"))

    page = officer.get(reverse("admin:index")).content.decode()

    assert "cash in 12,100.00 EUR" in page
    assert reverse("admin:compliance_currencytransactionreport_changelist") + "?status__exact=ready" in page

    assert "AML alerts not yet investigated" in page
    assert "AML cases by SAR deadline" in page
    assert "Currency transaction reports to file" in page
    assert 'id="alerts-per-typology-chart"' in page and "Large cash" in page


def test_the_case_page_answers_in_a_fixed_number_of_queries(case, officer, compliance_officer, branch_a, customer,
                                                            savings, teller_a):
    colleague = StaffFactory(role=roles.COMPLIANCE_OFFICER, home_branch=branch_a)
    officer.post(_operation(case, "note"), {"text": "one"})
    officer.post(_operation(case, "assign"), {"assignee": colleague.pk})
    officer.get(_page(case))
    few, _ = _queries(officer, _page(case))
    alerted_case(customer, savings, teller_a, amounts=("15000.00", "16000.00"))
    for text in ("two", "three", "four"):
        officer.post(_operation(case, "note"), {"text": text})
    officer.post(_operation(case, "assign"), {"assignee": compliance_officer.pk})
    officer.post(_operation(case, "investigate"), {})
    officer.post(_operation(case, "escalate"), {"reason": "five"})
    officer.get(_page(case))

    many, page = _queries(officer, _page(case))

    assert many == few and page.count("Cash deposit of") == 3 and "five" in page
