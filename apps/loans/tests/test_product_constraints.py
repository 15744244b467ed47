"""The database holds a loan product's invariants itself: a row that breaks one is refused whoever writes it
(PostgreSQL and SQLite alike)."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from apps.loans.models import LoanProduct
from apps.loans.tests.factories import ledger_accounts, loan_product

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("overrides", "constraint"), [
    (dict(minimum_amount=Decimal("0")), "loan_product_amounts_ordered"),
    (dict(minimum_amount=Decimal("600"), maximum_amount=Decimal("500")), "loan_product_amounts_ordered"),
    (dict(minimum_term=0), "loan_product_(terms_ordered|grace_within_term)"),
    (dict(minimum_term=13, default_term=12), "loan_product_terms_ordered"),
    (dict(default_term=90, maximum_term=84), "loan_product_terms_ordered"),
    (dict(maximum_term=1201, default_term=12), "loan_product_terms_ordered"),
    (dict(minimum_rate=Decimal("-0.5")), "loan_product_rates_ordered"),
    (dict(minimum_rate=Decimal("10"), default_rate=Decimal("9")), "loan_product_rates_ordered"),
    (dict(maximum_rate=Decimal("5"), default_rate=Decimal("9")), "loan_product_rates_ordered"),
    (dict(principal_grace=1, interest_grace=2), "loan_product_grace_within_term"),
    (dict(principal_grace=3, minimum_term=3), "loan_product_grace_within_term"),
    (dict(fee_kind="none", fee_value=Decimal("1")), "loan_product_fee_valid"),
    (dict(fee_kind="percentage", fee_value=Decimal("101")), "loan_product_fee_valid"),
    (dict(fee_kind="fixed", fee_value=Decimal("-1")), "loan_product_fee_valid"),
    (dict(rounding_multiple=Decimal("0")), "loan_product_rounding_multiple_positive"),
    (dict(code=""), "loan_product_code_not_blank"),
])
def test_the_database_refuses_a_product_that_breaks_an_invariant(chart, overrides, constraint):
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        loan_product(**overrides)
    assert not LoanProduct.objects.exists()


def test_the_database_refuses_one_ledger_account_in_two_roles(chart):
    accounts = ledger_accounts()
    with pytest.raises(IntegrityError, match="loan_product_ledger_accounts_distinct"), transaction.atomic():
        loan_product(fee_income_account=accounts["interest_income_account"])
    assert not LoanProduct.objects.exists()


def test_a_product_within_every_invariant_is_kept(chart):
    product = loan_product(principal_grace=2, interest_grace=1, fee_kind="percentage", fee_value=Decimal("1.5"),
                           rounding_multiple=Decimal("1"))
    assert LoanProduct.objects.get(pk=product.pk).principal_grace == 2
