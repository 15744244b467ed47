"""The loan page in the admin: the schedule, balances and transactions in a fixed number of queries, for the
loan's branch only, and the counter's repayment through the service (a double submit is one repayment)."""

import datetime

import pytest
from django.urls import reverse

from apps.loans.models import LoanTransaction
from apps.loans.tests.loan_factories import booked_loan, loan_staff, set_business_date
from apps.organization.tests.admin_approvals import admin_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def loan(product, borrower, deposit, officer):
    return booked_loan(customer=borrower, product=product, account=deposit, staff=officer, amount="1200.00")


def test_the_loan_page_shows_schedule_balances_and_transactions(loan, officer, django_assert_max_num_queries):
    client = admin_client(officer)
    url = reverse("admin:loans_loan_change", args=[loan.pk])
    client.get(url)
    with django_assert_max_num_queries(40):
        page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "1,200.00 EUR" in html and "Repay at the counter" in html and "Disbursement" in html
    listing = client.get(reverse("admin:loans_loan_changelist")).content.decode()
    assert "1,200.00 EUR" in listing


def test_another_branchs_staff_do_not_see_the_loan(loan, branch_b):
    client = admin_client(loan_staff(branch_b))
    assert client.get(reverse("admin:loans_loan_change", args=[loan.pk])).status_code in (302, 404)
    assert client.get(reverse("admin:loans_loan_repay", args=[loan.pk])).status_code == 403


def test_the_counter_takes_a_repayment_once(loan, officer):
    set_business_date(datetime.date(2026, 12, 23))
    client = admin_client(officer)
    form = {"amount": "20.00", "prepayment": "", "idempotency_key": "form-1"}

    first = client.post(reverse("admin:loans_loan_repay", args=[loan.pk]), form)
    again = client.post(reverse("admin:loans_loan_repay", args=[loan.pk]), form)

    assert first.status_code == 302 and again.status_code == 302
    assert LoanTransaction.objects.filter(kind="repayment").count() == 1
    refused = client.post(reverse("admin:loans_loan_repay", args=[loan.pk]),
                          {"amount": "5000", "prepayment": "", "idempotency_key": "form-2"})
    assert refused.status_code == 200 and "errornote" in refused.content.decode()
    assert LoanTransaction.objects.filter(kind="repayment").count() == 1
    payoff_form = client.get(reverse("admin:loans_loan_repay", args=[loan.pk]) + "?payoff=1").content.decode()
    assert "shorten_term" in payoff_form


def test_the_loans_list_and_the_api_list_cost_the_same_queries_whatever_their_length(
        product, borrower, deposit, officer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    def queries() -> tuple[int, int]:
        client = admin_client(officer)
        api = APIClient()
        api.force_authenticate(borrower.user)
        with CaptureQueriesContext(connection) as admin_list:
            assert client.get(reverse("admin:loans_loan_changelist")).status_code == 200
        with CaptureQueriesContext(connection) as api_list:
            assert api.get("/api/v1/loans/").status_code == 200
        return len(admin_list), len(api_list)

    booked_loan(customer=borrower, product=product, account=deposit, staff=officer, amount="300.00")
    one = queries()
    for _ in range(3):
        booked_loan(customer=borrower, product=product, account=deposit, staff=officer, amount="300.00")
    assert queries() == one
