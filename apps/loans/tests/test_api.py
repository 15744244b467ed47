"""Loan products and schedule previews over the API: the channels see the active products; a preview answers
with every instalment as strings, and any bad input with a 4xx problem and its code (never a 500)."""

import datetime
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from apps.loans.models import LoanProduct
from apps.loans.tests.factories import loan_product
from apps.organization.models import ApprovalRequest, Holiday
from apps.organization.tests.factories import CustomerUserFactory

pytestmark = pytest.mark.django_db


def _client(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _preview(product, body, user=None):
    return _client(user or CustomerUserFactory()).post(f"/api/v1/loan-products/{product.pk}/schedule-preview/",
                                                       body, format="json")


FINERACT_CASE = {"amount": "100", "annual_rate": "9.4822", "term": 6, "frequency": "monthly",
                 "disbursement_date": "2011-07-01", "first_repayment_date": "2011-08-01"}


def test_the_channels_see_the_active_products_only_in_a_bounded_number_of_queries(
        product, django_assert_max_num_queries):
    loan_product(code="OLD", name="Retired loan", is_active=False)
    loan_product(code="CAR", name="Car loan")
    client = _client(CustomerUserFactory())
    with django_assert_max_num_queries(2):  # the count and the page, however many products
        response = client.get("/api/v1/loan-products/")
    assert response.status_code == 200
    assert [row["code"] for row in response.json()["results"]] == ["CAR", "PL"]
    shown = response.json()["results"][1]
    assert (shown["minimum_amount"], shown["maximum_amount"], shown["default_rate"]) == ("100.00", "50000.00",
                                                                                         "9.482200")


def test_an_anonymous_caller_sees_no_products(product):
    response = _client().get("/api/v1/loan-products/")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_the_preview_gives_fineracts_case_with_amounts_as_strings(product, teller_a):
    response = _preview(product, FINERACT_CASE, user=teller_a)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["regular_instalment"] == "17.13"
    assert [row["total"] for row in body["instalments"]] == ["17.13"] * 6
    assert body["instalments"][-1] | {} == {
        "number": 6, "period_start": "2011-12-01", "period_end": "2012-01-01", "due_date": "2012-01-02",
        "principal": "17.00", "interest": "0.13", "fees": "0.00", "total": "17.13", "outstanding": "0.00"}
    assert body["totals"] == {"principal": "100.00", "interest": "2.78", "fees": "0.00", "total": "102.78"}


def test_the_preview_moves_a_due_date_off_the_banks_holiday(product):
    Holiday.objects.create(date=datetime.date(2011, 9, 1), name="Bank holiday")
    instalments = _preview(product, FINERACT_CASE).json()["instalments"]
    assert (instalments[1]["period_end"], instalments[1]["due_date"]) == ("2011-09-01", "2011-09-02")


def test_the_preview_takes_the_products_defaults_and_the_business_date(product, bank):
    body = _preview(product, {"amount": "1200"}).json()
    assert (body["term"], body["annual_rate"], body["frequency"]) == (12, "9.482200", "monthly")
    assert body["disbursement_date"] == bank.current_business_date.isoformat()


def test_a_preview_writes_nothing(product):
    before = (LoanProduct.history.count(), ApprovalRequest.objects.count())
    assert _preview(product, FINERACT_CASE).status_code == 200
    assert (LoanProduct.history.count(), ApprovalRequest.objects.count()) == before


@pytest.mark.parametrize(("body", "status", "code"), [
    ({**FINERACT_CASE, "amount": 100}, 400, "invalid_amount"),
    ({**FINERACT_CASE, "amount": "abc"}, 400, "invalid_amount"),
    ({**FINERACT_CASE, "amount": "100.001"}, 400, "too_many_decimals"),
    ({**FINERACT_CASE, "amount": "-5"}, 400, "amount_not_positive"),
    ({**FINERACT_CASE, "annual_rate": 9.5}, 400, "validation_error"),
    ({**FINERACT_CASE, "annual_rate": "-1"}, 400, "validation_error"),
    ({**FINERACT_CASE, "term": 0}, 400, "validation_error"),
    ({**FINERACT_CASE, "term": "many"}, 400, "validation_error"),
    ({**FINERACT_CASE, "frequency": "daily"}, 400, "validation_error"),
    ({**FINERACT_CASE, "disbursement_date": "2011-13-01"}, 400, "validation_error"),
    ({**FINERACT_CASE, "disbursement_date": "0001-01-01"}, 422, "disbursement_date_out_of_range"),
    ({**FINERACT_CASE, "disbursement_date": "9999-12-31"}, 422, "disbursement_date_out_of_range"),
    ({**FINERACT_CASE, "first_repayment_date": "2011-06-30"}, 422, "first_repayment_not_after_disbursement"),
    ({**FINERACT_CASE, "first_repayment_date": "2012-07-01"}, 422, "first_repayment_too_late"),
    ({**FINERACT_CASE, "amount": "50"}, 422, "amount_out_of_range"),
    ({**FINERACT_CASE, "amount": "999999999999999"}, 422, "amount_out_of_range"),
    ({**FINERACT_CASE, "annual_rate": "30"}, 422, "rate_out_of_range"),
    ({**FINERACT_CASE, "term": 2}, 422, "term_out_of_range"),
    ({**FINERACT_CASE, "term": 32767}, 422, "term_out_of_range"),
    ({}, 400, "validation_error"),
    (["not", "an", "object"], 400, "validation_error"),
])
def test_bad_input_is_a_problem_with_a_code(product, body, status, code):
    response = _preview(product, body)
    assert response.status_code == status, response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == code


@pytest.mark.parametrize("product_id", ["abc", "0", "99999999", "9" * 30, "-1"])
def test_an_unknown_product_is_a_404_problem(product, product_id):
    response = _client(CustomerUserFactory()).post(f"/api/v1/loan-products/{product_id}/schedule-preview/",
                                                   FINERACT_CASE, format="json")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_an_inactive_product_cannot_be_previewed(product):
    LoanProduct.objects.filter(pk=product.pk).update(is_active=False)
    assert _preview(product, FINERACT_CASE).status_code == 404


def test_the_longest_term_of_the_fastest_frequency_has_its_schedule(chart):
    product = loan_product(code="WK", repayment_frequency="weekly", maximum_term=1200, maximum_rate=Decimal("999"))
    body = _preview(product, {"amount": "50000", "annual_rate": "999", "term": 1200, "frequency": "quarterly",
                              "disbursement_date": "2025-01-31"}).json()
    assert len(body["instalments"]) == 1200
    assert body["totals"]["principal"] == "50000.00"
