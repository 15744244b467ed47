import pytest

from apps.accounts.tests.factories import install_chart, savings_product
from apps.customers.tests.factories import verified_customer


@pytest.fixture
def chart(branch_a, branch_b):
    install_chart()


@pytest.fixture
def customer(branch_a):
    return verified_customer(branch=branch_a)


@pytest.fixture
def savings(chart):
    return savings_product()
