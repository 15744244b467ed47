"""The loan products in the admin: the list in its currencies without N+1, the "Preview schedule" page with its
table in the currency's format, and the bank's holidays kept through their service."""

import datetime

import pytest
from django.urls import reverse

from apps.domain_errors import PermissionRefused
from apps.loans.tests.factories import loan_product
from apps.organization.holidays import keep_holiday, remove_holiday
from apps.organization.models import Holiday
from apps.organization.tests.admin_approvals import admin_client

pytestmark = pytest.mark.django_db

FINERACT_CASE = {"amount": "100", "annual_rate": "9.4822", "term": "6", "frequency": "monthly",
                 "disbursement_date": "2011-07-01", "first_repayment_date": "2011-08-01"}


def test_the_product_list_shows_money_in_its_currency_in_a_fixed_number_of_queries(
        product, ops_admin, django_assert_max_num_queries):
    client = admin_client(ops_admin)
    client.get(reverse("admin:loans_loanproduct_changelist"))  # session and permissions cached
    for index in range(5):
        loan_product(code=f"P{index}", name=f"Product {index}")
    with django_assert_max_num_queries(12):
        page = client.get(reverse("admin:loans_loanproduct_changelist")).content.decode()
    assert "50,000.00 EUR" in page and "Preview schedule" in page


def test_the_preview_page_shows_the_schedule_and_its_totals_in_the_currencys_format(product, loan_officer):
    url = reverse("admin:loans_loanproduct_preview", args=[product.pk])
    response = admin_client(loan_officer).get(url, FINERACT_CASE)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<td class="num">17.13 EUR</td>') == 6
    assert '<td class="num">17.00 EUR</td><td class="num">0.13 EUR</td>' in html
    assert '<td class="num">102.78 EUR</td>' in html


def test_the_preview_page_opens_with_the_products_defaults_and_no_table(product, loan_officer):
    html = admin_client(loan_officer).get(reverse("admin:loans_loanproduct_preview", args=[product.pk])).content
    assert b'id="schedule"' not in html and b'value="9.4822"' in html


def test_terms_outside_the_products_limits_come_back_on_the_form(product, loan_officer):
    html = admin_client(loan_officer).get(reverse("admin:loans_loanproduct_preview", args=[product.pk]),
                                          {**FINERACT_CASE, "amount": "60000"}).content.decode()
    assert "lends from 100.00 EUR to 50,000.00 EUR" in html and 'id="schedule"' not in html


def test_the_change_page_links_to_the_preview(product, ops_admin):
    html = admin_client(ops_admin).get(reverse("admin:loans_loanproduct_change", args=[product.pk])).content
    assert reverse("admin:loans_loanproduct_preview", args=[product.pk]).encode() in html


def test_a_role_without_the_products_cannot_open_the_preview(product, teller_a):
    response = admin_client(teller_a).get(reverse("admin:loans_loanproduct_preview", args=[product.pk]))
    assert response.status_code == 403


def test_operations_keeps_the_holidays_in_the_admin_with_history(ops_admin):
    client = admin_client(ops_admin)
    response = client.post(reverse("admin:organization_holiday_add"), {"date": "2025-12-25", "name": "Christmas"})
    assert response.status_code == 302
    holiday = Holiday.objects.get()
    assert holiday.history.get().history_user == ops_admin


def test_a_role_that_may_not_keep_holidays_is_refused_and_nothing_changes(loan_officer, ops_admin):
    holiday = keep_holiday(holiday=Holiday(date=datetime.date(2025, 12, 25), name="Christmas"), actor=ops_admin)
    with pytest.raises(PermissionRefused):
        keep_holiday(holiday=Holiday(date=datetime.date(2025, 12, 26), name="Boxing day"), actor=loan_officer)
    with pytest.raises(PermissionRefused):
        remove_holiday(holiday=holiday, actor=loan_officer)
    assert list(Holiday.objects.values_list("name", flat=True)) == ["Christmas"]
