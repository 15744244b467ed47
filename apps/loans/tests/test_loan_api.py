"""Booked loans over the API: a customer sees their own loans only, the schedule and transactions in a fixed
number of queries, a payoff quote, and repays with an Idempotency-Key (a replay moves nothing)."""

import datetime

import pytest
from rest_framework.test import APIClient

from apps.customers.tests.factories import verified_customer
from apps.loans.models import LoanTransaction
from apps.loans.tests.loan_factories import booked_loan, set_business_date
from apps.organization.tests.factories import CustomerUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def loan(product, borrower, deposit, officer):
    return booked_loan(customer=borrower, product=product, account=deposit, staff=officer, amount="1200.00")


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_customer_sees_their_loan_with_its_balances_and_schedule(loan, borrower, django_assert_max_num_queries):
    client = _client(borrower.user)

    listed = client.get("/api/v1/loans/").json()["results"]
    detail = client.get(f"/api/v1/loans/{loan.pk}/").json()
    with django_assert_max_num_queries(3):
        schedule = client.get(f"/api/v1/loans/{loan.pk}/schedule/")

    assert [row["id"] for row in listed] == [loan.pk]
    assert detail["balances"]["principal"] == "1200.00" and detail["principal"] == "1200.00"
    assert schedule.status_code == 200 and len(schedule.json()) == 12
    assert schedule.json()[0]["status"] == "pending" and schedule.json()[0]["principal_paid"] == "0.00"


def test_someone_elses_loan_is_not_found(loan, branch_a):
    stranger = verified_customer(branch=branch_a, user=CustomerUserFactory()).user
    client = _client(stranger)

    assert client.get("/api/v1/loans/").json()["results"] == []
    for path in ("", "schedule/", "transactions/", "payoff-quote/"):
        assert client.get(f"/api/v1/loans/{loan.pk}/{path}").status_code == 404
    response = client.post(f"/api/v1/loans/{loan.pk}/repayments/", {"amount": "10.00"}, format="json",
                           HTTP_IDEMPOTENCY_KEY="k1")
    assert response.status_code == 404 and LoanTransaction.objects.filter(kind="repayment").count() == 0


def test_a_repayment_with_an_idempotency_key_is_made_once(loan, borrower):
    set_business_date(datetime.date(2026, 12, 23))
    client = _client(borrower.user)

    first = client.post(f"/api/v1/loans/{loan.pk}/repayments/", {"amount": "10.00"}, format="json",
                        HTTP_IDEMPOTENCY_KEY="pay-1")
    again = client.post(f"/api/v1/loans/{loan.pk}/repayments/", {"amount": "10.00"}, format="json",
                        HTTP_IDEMPOTENCY_KEY="pay-1")

    assert first.status_code == 201, first.json()
    assert first.json()["amount"] == "10.00" and first.json()["interest_portion"] == "9.48"
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert LoanTransaction.objects.filter(kind="repayment").count() == 1
    transactions = client.get(f"/api/v1/loans/{loan.pk}/transactions/").json()
    assert [row["kind"] for row in transactions] == ["disbursement", "repayment"]


def test_the_payoff_quote_and_a_refused_repayment(loan, borrower):
    set_business_date(datetime.date(2026, 12, 23))
    client = _client(borrower.user)

    quote = client.get(f"/api/v1/loans/{loan.pk}/payoff-quote/?as_of=2026-12-23").json()
    too_much = client.post(f"/api/v1/loans/{loan.pk}/repayments/", {"amount": "500.00"}, format="json",
                           HTTP_IDEMPOTENCY_KEY="pay-2")

    assert quote["principal"] == "1200.00" and quote["interest"] == "9.48" and quote["total"] == "1209.48"
    assert too_much.status_code == 422 and too_much.json()["code"] == "prepayment_choice_required"
    assert client.get(f"/api/v1/loans/{loan.pk}/payoff-quote/?as_of=soon").status_code == 400


def test_staff_see_their_branchs_loans_only(loan, officer, branch_b):
    from apps.loans.tests.loan_factories import loan_staff

    assert [row["id"] for row in _client(officer).get("/api/v1/loans/").json()["results"]] == [loan.pk]
    other = _client(loan_staff(branch_b))
    assert other.get("/api/v1/loans/").json()["results"] == []
    assert other.get(f"/api/v1/loans/{loan.pk}/").status_code == 404


def test_the_prepayment_quote_shows_the_new_schedule_and_writes_nothing(loan, borrower):
    set_business_date(datetime.date(2026, 12, 23))
    client = _client(borrower.user)
    url = f"/api/v1/loans/{loan.pk}/prepayment-quote/"
    first = loan.instalments.get(number=1)

    quote = client.get(url, {"amount": f"{first.principal_due + first.interest_due + 500:.2f}",
                             "prepayment": "lower_instalment"})
    nothing = client.get(url, {"amount": "5.00", "prepayment": "shorten_term"})

    assert quote.status_code == 200, quote.json()
    assert quote.json()["prepaid"] == "500.00" and len(quote.json()["instalments"]) == 11
    assert nothing.status_code == 400 and nothing.json()["code"] == "nothing_to_prepay"
    assert client.get(url, {"amount": "12", "prepayment": "never"}).status_code == 400
    assert LoanTransaction.objects.filter(kind="prepayment").count() == 0


def test_no_quote_is_given_as_of_a_day_before_the_loan(loan, borrower):
    # (schemathesis asked for a payoff as of 2000-01-01 and was given the principal)
    client = _client(borrower.user)
    before = (loan.disbursement_date - datetime.timedelta(days=1)).isoformat()
    payoff = client.get(f"/api/v1/loans/{loan.pk}/payoff-quote/", {"as_of": before})
    prepayment = client.get(f"/api/v1/loans/{loan.pk}/prepayment-quote/",
                            {"amount": "500.00", "prepayment": "shorten_term", "as_of": before})
    assert (payoff.status_code, payoff.json()["code"]) == (400, "quote_before_loan")
    assert (prepayment.status_code, prepayment.json()["code"]) == (400, "quote_before_loan")
    on_the_day = client.get(f"/api/v1/loans/{loan.pk}/payoff-quote/", {"as_of": loan.disbursement_date.isoformat()})
    assert on_the_day.status_code == 200 and on_the_day.json()["total"] == f"{loan.principal:.2f}"


def test_the_schedule_and_transactions_are_whole_lists_as_the_schema_says(loan, borrower):
    client = _client(borrower.user)
    schedule = client.get(f"/api/v1/loans/{loan.pk}/schedule/", {"page": 1, "page_size": 1})
    transactions = client.get(f"/api/v1/loans/{loan.pk}/transactions/", {"page": 1, "page_size": 1})
    assert isinstance(schedule.json(), list) and len(schedule.json()) == loan.term
    assert isinstance(transactions.json(), list) and transactions.json()[0]["kind"] == "disbursement"
