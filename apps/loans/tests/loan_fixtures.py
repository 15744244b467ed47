"""Fixtures of the booked-loan tests (imported by conftest.py): a borrower with a funded deposit account, and a
loan officer who may disburse."""

import pytest

from apps.accounts.tests.factories import open_funded_account, savings_product
from apps.customers.tests.factories import verified_customer
from apps.loans.tests.loan_factories import loan_staff
from apps.organization.tests.factories import CustomerUserFactory


@pytest.fixture
def officer(branch_a):
    return loan_staff(branch_a)


@pytest.fixture
def borrower(branch_a):
    return verified_customer(branch=branch_a, user=CustomerUserFactory())


@pytest.fixture
def deposit(chart, borrower, teller_a):
    return open_funded_account(borrower, savings_product(rate="0"), "500.00", teller=teller_a)
