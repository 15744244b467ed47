"""Applying for a loan: the customer over the API, staff of the branch in the service the admin calls; every
refusal with its code and nothing written; the idempotent replay; a customer sees only their own."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from apps.customers.tests.factories import CustomerFactory, verified_customer
from apps.domain_errors import DomainError
from apps.loans.models import ApplicationStatus, LoanApplication
from apps.loans.services.applications import ApplicationTerms, submit_application, withdraw_application
from apps.loans.services.underwriting import reject_application
from apps.loans.tests.application_fixtures import submitted
from apps.money import Money
from apps.organization.selectors import current_business_date
from apps.organization.tests.factories import CustomerUserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/loan-applications/"


def _body(product, **overrides):
    body = {"product": product.pk, "currency": "EUR", "amount": "5000.00", "term": 24, "annual_rate": "9.5",
            "declared_monthly_income": "3000.00", "declared_monthly_obligations": "0"}
    body.update(overrides)
    return body


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _nothing_written():
    assert LoanApplication.objects.count() == 0
    assert LoanApplication.history.count() == 0


def test_customer_applies_over_the_api_and_a_replay_returns_the_first(applicant, product):
    client = _client(applicant.user)
    first = client.post(URL, _body(product), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201, first.json()
    body = first.json()
    assert body["status"] == "submitted" and body["channel"] == "api" and body["amount"] == "5000.00"
    assert body["declared_monthly_obligations"] == "0.00"
    replay = client.post(URL, _body(product), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert replay.status_code == 201 and replay.json()["id"] == body["id"]
    assert replay.headers["Idempotent-Replayed"] == "true"
    application = LoanApplication.objects.get()
    assert application.submitted_by == applicant.user and application.branch == applicant.branch
    assert application.disbursement_date == current_business_date()


def test_the_service_replays_the_same_key_and_refuses_it_with_other_terms(applicant, product):
    first = submitted(applicant, product, key="same")
    again = submitted(applicant, product, key="same")
    assert again.pk == first.pk and again.replayed
    with pytest.raises(DomainError) as refused:
        submitted(applicant, product, "6000.00", key="same")
    assert refused.value.code == "idempotency_key_reused" and refused.value.status == 409
    assert LoanApplication.objects.count() == 1


def test_staff_of_the_customer_branch_enter_an_application(applicant, product, teller_a, loan_officer, manager_a):
    for number, staff in enumerate((teller_a, loan_officer, manager_a)):
        application = submitted(applicant, product, key=f"branch-{number}", by=staff)
        assert application.channel == "branch" and application.submitted_by == staff
    assert LoanApplication.objects.filter(channel="branch").count() == 3


@pytest.mark.parametrize("who", ["teller_b", "auditor", "compliance_officer", "other_customer"])
def test_who_may_not_enter_an_application_is_refused_and_nothing_is_written(request, applicant, product, who):
    actor = CustomerUserFactory() if who == "other_customer" else request.getfixturevalue(who)
    with pytest.raises(DomainError) as refused:
        submitted(applicant, product, by=actor)
    assert refused.value.status == 403
    _nothing_written()


@pytest.mark.parametrize(("overrides", "code"), [
    ({"amount": "50.00"}, "amount_out_of_range"),
    ({"amount": "60000.00"}, "amount_out_of_range"),
    ({"term": 2}, "term_out_of_range"),
    ({"term": 85}, "term_out_of_range"),
    ({"annual_rate": Decimal("25.5")}, "rate_out_of_range"),
    ({"disbursement_date": datetime.date(2000, 1, 1)}, "disbursement_date_in_past"),
])
def test_terms_outside_the_product_are_refused_and_nothing_is_written(applicant, product, overrides, code):
    amount = overrides.pop("amount", "5000.00")
    with pytest.raises(DomainError) as refused:
        submitted(applicant, product, amount, **overrides)
    assert refused.value.code == code and 400 <= refused.value.status < 500
    _nothing_written()


def test_a_customer_without_verified_kyc_is_refused(chart, branch_a, product):
    customer = CustomerFactory(branch=branch_a, user=CustomerUserFactory())
    with pytest.raises(DomainError) as refused:
        submitted(customer, product)
    assert refused.value.code == "kyc_not_verified"
    _nothing_written()


def test_an_inactive_product_is_refused(applicant, product):
    product.is_active = False
    product.save()
    with pytest.raises(DomainError) as refused:
        submitted(applicant, product)
    assert refused.value.code == "product_inactive"
    _nothing_written()


def test_another_currency_is_refused(applicant, product):
    with pytest.raises(DomainError) as refused:
        submit_application(customer=applicant, idempotency_key="usd", submitted_by=applicant.user,
                           terms=ApplicationTerms(product=product, amount=Money("5000", "USD"),
                                                  declared_monthly_income=Money("3000", "USD")))
    assert refused.value.code == "currency_mismatch"
    _nothing_written()


@pytest.mark.parametrize(("overrides", "code"), [
    ({"amount": "60000.00"}, "amount_out_of_range"),
    ({"currency": "USD"}, "currency_mismatch"),
    ({"amount": "12.345"}, "too_many_decimals"),
])
def test_the_api_refuses_with_a_problem_and_a_code(applicant, product, overrides, code):
    response = _client(applicant.user).post(URL, _body(product, **overrides), format="json",
                                            HTTP_IDEMPOTENCY_KEY="k-bad")
    assert 400 <= response.status_code < 500
    assert response["Content-Type"] == "application/problem+json" and response.json()["code"] == code
    _nothing_written()


def test_an_inactive_product_over_the_api_is_a_problem(applicant, product):
    product.is_active = False
    product.save()
    response = _client(applicant.user).post(URL, _body(product), format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert response.status_code == 422 and response.json()["code"] == "product_inactive"
    _nothing_written()


def test_staff_use_the_admin_not_the_customer_api(applicant, product, loan_officer):
    response = _client(loan_officer).post(URL, _body(product), format="json", HTTP_IDEMPOTENCY_KEY="k-3")
    assert response.status_code == 403
    _nothing_written()


def test_a_customer_sees_only_their_own_applications_with_reasons(applicant, product, loan_officer,
                                                                   django_assert_num_queries, branch_a):
    mine = [submitted(applicant, product, key=f"mine-{n}") for n in range(3)]
    reject_application(application=mine[0], actor=loan_officer,
                       reasons=["debt_to_income_too_high", "The purpose is not one we lend for."])
    other = verified_customer(branch=branch_a, user=CustomerUserFactory())
    theirs = submitted(other, product, key="theirs")
    client = _client(applicant.user)
    with django_assert_num_queries(2):  # the count, the page (products joined): whatever the number of rows
        listed = client.get(URL).json()
    assert sorted(row["id"] for row in listed["results"]) == sorted(a.pk for a in mine)
    rejected = client.get(f"{URL}{mine[0].pk}/").json()
    assert rejected["status"] == "rejected"
    assert rejected["rejection_reasons"] == [
        {"code": "debt_to_income_too_high", "message": "Your repayments would take too large a share of your income."},
        {"code": "other", "message": "The purpose is not one we lend for."}]
    assert client.get(f"{URL}{theirs.pk}/").status_code == 404


def test_a_customer_withdraws_an_open_application_not_a_decided_one(applicant, product, loan_officer):
    application = submitted(applicant, product)
    response = _client(applicant.user).post(f"{URL}{application.pk}/withdraw/")
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    again = _client(applicant.user).post(f"{URL}{application.pk}/withdraw/")
    assert again.status_code == 422 and again.json()["code"] == "application_not_open"
    decided = submitted(applicant, product, key="decided")
    reject_application(application=decided, actor=loan_officer, reasons=["policy"])
    with pytest.raises(DomainError):
        withdraw_application(application=decided, actor=applicant.user)
    assert LoanApplication.objects.get(pk=decided.pk).status == ApplicationStatus.REJECTED



def test_declared_amounts_in_another_currency_are_refused(applicant, product):
    with pytest.raises(DomainError) as refused:
        submit_application(customer=applicant, idempotency_key="declared", submitted_by=applicant.user,
                           terms=ApplicationTerms(product=product, amount=Money("5000", "EUR"),
                                                  declared_monthly_income=Money("3000", "USD")))
    assert refused.value.code == "declared_amount_invalid"
    _nothing_written()
