"""A loan officer previews a loan in the browser: from the loan products list to the product's "Preview
schedule" page, the terms typed in, the table with every instalment and the totals in euros. Nothing is saved."""

import datetime

import pytest

from apps.loans.models import LoanProduct
from apps.loans.tests.factories import loan_product
from apps.organization import roles
from apps.organization.models import ApprovalRequest, Holiday
from tests.browser.admin_steps import follow


@pytest.fixture
def personal_loan(lisbon):
    Holiday.objects.create(date=datetime.date(2011, 9, 1), name="Bank holiday")
    return loan_product(code="PL", name="Personal Loan")


def test_a_loan_officer_previews_fineracts_loan_and_sees_every_instalment(page, log_in, shot, staff,
                                                                            personal_loan):
    # given
    officer = staff(roles.LOAN_OFFICER)
    before = (LoanProduct.history.count(), ApprovalRequest.objects.count())
    log_in(page, officer)

    # when: the loan products list, then the product's preview page
    page.goto("/admin/loans/loanproduct/")
    shot(page, "01-loan-products")
    follow(page, page.get_by_role("link", name="Preview schedule"))
    assert page.input_value("#id_annual_rate") == "9.4822"
    page.fill("#id_amount", "100")
    page.fill("#id_term", "6")
    page.fill("#id_disbursement_date", "2011-07-01")
    page.fill("#id_first_repayment_date", "2011-08-01")
    follow(page, "input[type=submit][value='Preview schedule']")
    shot(page, "02-schedule")

    # then: six instalments of 17.13 EUR, the second moved off the holiday, the last 17.00 + 0.13
    table = page.locator("#schedule tbody tr")
    assert table.count() == 6
    assert [row.split("\t")[5] for row in table.all_inner_texts()] == ["17.13 EUR"] * 6
    assert "Fri 2 Sep 2011" in table.nth(1).inner_text()
    assert table.nth(5).inner_text().split("\t")[2:4] == ["17.00 EUR", "0.13 EUR"]
    assert "102.78 EUR" in page.locator("#schedule tfoot").inner_text()
    assert (LoanProduct.history.count(), ApprovalRequest.objects.count()) == before


def test_terms_beyond_the_products_limits_are_refused_on_the_form(page, log_in, shot, staff, personal_loan):
    log_in(page, staff(roles.LOAN_OFFICER))
    page.goto(f"/admin/loans/loanproduct/{personal_loan.pk}/preview/")
    page.fill("#id_amount", "75000")
    follow(page, "input[type=submit][value='Preview schedule']")
    shot(page, "01-refused")
    assert "lends from 100.00 EUR to 50,000.00 EUR" in page.locator(".errornote").inner_text()
    assert page.locator("#schedule").count() == 0
