"""The applications queue and page in the admin: branch-scoped, no N+1, the scoring explanation and the bureau's
report shown, and the operations calling their services (a refusal on the form, nothing changed)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.customers.tests.factories import verified_customer
from apps.loans.models import ApplicationApproval, ApplicationStatus, LoanApplication, UnderwritingRecommendation
from apps.loans.services.scoring import score_application
from apps.loans.tests.application_fixtures import submitted, underwritten
from apps.organization.tests.admin_approvals import admin_client
from apps.organization.tests.factories import CustomerUserFactory

pytestmark = pytest.mark.django_db
QUEUE = "admin:loans_loanapplication_changelist"


def _queries(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url)
    assert page.status_code == 200
    return len(queries), page.content.decode()


def test_the_queue_shows_the_branch_applications_with_score_in_a_fixed_number_of_queries(
        applicant, product, bureau, loan_officer, branch_b, teller_b):
    client = admin_client(loan_officer)
    score_application(application=submitted(applicant, product, key="a-0"), actor=None)
    client.get(reverse(QUEUE))  # session and permissions cached
    few, _ = _queries(client, reverse(QUEUE))
    for n in range(1, 6):
        score_application(application=submitted(applicant, product, key=f"a-{n}"), actor=None)
    elsewhere = verified_customer(branch=branch_b, user=CustomerUserFactory(), legal_name="Porto Person")
    submitted(elsewhere, product, key="porto", by=teller_b)
    many, page = _queries(client, reverse(QUEUE))
    assert many == few
    assert page.count("Ana Applicant") == 6 and "Porto Person" not in page
    assert "5,000.00 EUR" in page


def test_the_application_page_explains_the_score_and_shows_the_bureau_report(applicant, product, bureau,
                                                                             loan_officer):
    bureau.files["Ana Applicant"] = {"score": 701}
    application = submitted(applicant, product)
    score_application(application=application, actor=None)
    page = admin_client(loan_officer).get(reverse("admin:loans_loanapplication_change", args=[application.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Debt to income" in html and "Credit bureau score" in html and "<td>701</td>" in html
    assert "Credit bureau report (creditline): Received" in html
    assert "Underwrite" in html and "Approve" in html


def test_another_branch_does_not_see_the_application(applicant, product, manager_b):
    application = submitted(applicant, product)
    client = admin_client(manager_b)
    page = client.get(reverse("admin:loans_loanapplication_change", args=[application.pk]))
    assert page.status_code == 302  # "does not exist" redirect
    approve = client.post(reverse("admin:loans_loanapplication_approve", args=[application.pk]))
    assert approve.status_code == 302
    assert LoanApplication.objects.get(pk=application.pk).status == ApplicationStatus.SUBMITTED


def test_underwriting_and_approving_through_the_admin(applicant, product, bureau, loan_officer, manager_a):
    application = submitted(applicant, product)
    score_application(application=application, actor=None)
    officer = admin_client(loan_officer)
    response = officer.post(reverse("admin:loans_loanapplication_underwrite", args=[application.pk]),
                            {"recommendation": "approve", "note": "Salary paid in monthly."})
    assert response.status_code == 302
    assert UnderwritingRecommendation.objects.get().underwriter == loan_officer
    refused = officer.post(reverse("admin:loans_loanapplication_approve", args=[application.pk]))
    assert refused.status_code == 302  # the refusal as a message; nothing approved
    assert ApplicationApproval.objects.count() == 0
    admin_client(manager_a).post(reverse("admin:loans_loanapplication_approve", args=[application.pk]))
    assert LoanApplication.objects.get(pk=application.pk).status == ApplicationStatus.APPROVED


def test_rejecting_through_the_admin_needs_reasons(applicant, product, bureau, loan_officer):
    application = underwritten(applicant, product, loan_officer)
    client = admin_client(loan_officer)
    url = reverse("admin:loans_loanapplication_reject", args=[application.pk])
    page = client.post(url, {})
    assert page.status_code == 200 and "A rejection needs its reasons." in page.content.decode()
    assert LoanApplication.objects.get(pk=application.pk).status == ApplicationStatus.UNDER_REVIEW
    client.post(url, {"reasons": ["insufficient_income"], "other_reason": "Income is seasonal."})
    rejected = LoanApplication.objects.get(pk=application.pk)
    assert rejected.status == ApplicationStatus.REJECTED and len(rejected.rejection_reasons) == 2


def test_a_teller_enters_an_application_in_the_admin(applicant, product, teller_a, teller_b):
    client = admin_client(teller_a)
    url = reverse("admin:loans_loanapplication_add")
    assert client.get(url).status_code == 200
    body = {"customer": applicant.pk, "product": product.pk, "amount": "2500", "term": "12",
            "declared_monthly_income": "2000", "declared_monthly_obligations": "0", "idempotency_key": "admin:k1"}
    response = client.post(url, body)
    assert response.status_code == 302
    application = LoanApplication.objects.get()
    assert application.channel == "branch" and application.submitted_by == teller_a
    client.post(url, body)  # the form sent twice: the same application
    assert LoanApplication.objects.count() == 1
    refused = client.post(url, {**body, "amount": "999999", "idempotency_key": "admin:k2"})
    assert refused.status_code == 200 and "lends from" in refused.content.decode()
    unknown = client.post(url, {**body, "customer": applicant.pk + 1000, "idempotency_key": "admin:k3"})
    assert "No customer with this number that you may see." in unknown.content.decode()
    assert LoanApplication.objects.count() == 1
    elsewhere = admin_client(teller_b).post(url, {**body, "idempotency_key": "admin:k4"})
    assert "No customer with this number that you may see." in elsewhere.content.decode()
    assert LoanApplication.objects.count() == 1


def test_an_auditor_reads_the_queue_and_has_no_operations(applicant, product, auditor):
    application = submitted(applicant, product)
    client = admin_client(auditor)
    assert client.get(reverse(QUEUE)).status_code == 200
    html = client.get(reverse("admin:loans_loanapplication_change", args=[application.pk])).content.decode()
    assert "Underwrite" not in html and "Approve" not in html
    assert client.get(reverse("admin:loans_loanapplication_add")).status_code == 403


def test_the_home_lists_the_applications_under_review_for_those_who_underwrite(applicant, product, bureau,
                                                                               loan_officer, teller_a):
    score_application(application=submitted(applicant, product), actor=None)
    home = admin_client(loan_officer).get(reverse("admin:index")).content.decode()
    assert "Loan applications under review" in home and "5,000.00 EUR for Ana Applicant (PL)" in home
    assert "Loan applications under review" not in admin_client(teller_a).get(reverse("admin:index")).content.decode()


def test_the_customer_page_lists_the_applications_and_links_to_enter_one(applicant, product, teller_a):
    application = submitted(applicant, product)
    page = admin_client(teller_a).get(reverse("admin:customers_customer_change", args=[applicant.pk]))
    html = page.content.decode()
    assert "Loan applications" in html
    assert reverse("admin:loans_loanapplication_change", args=[application.pk]) in html
    assert reverse("admin:loans_loanapplication_add") + f"?customer={applicant.pk}" in html
    form = admin_client(teller_a).get(reverse("admin:loans_loanapplication_add") + f"?customer={applicant.pk}")
    assert f'value="{applicant.pk}"' in form.content.decode()
