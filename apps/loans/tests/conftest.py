import pytest

from apps.accounts.tests.factories import install_chart
from apps.loans.tests.factories import loan_product


@pytest.fixture
def chart(branch_a, branch_b):
    install_chart()


@pytest.fixture
def product(chart):
    return loan_product()


# The loan application tests' fixtures (the bureau simulator, an applicant, more staff).
from apps.loans.tests.application_fixtures import (  # noqa: E402, F401
    applicant,
    bureau,
    bureau_server,
    loan_officer_2,
    manager_a2,
)
from apps.loans.tests.loan_fixtures import borrower, deposit, officer  # noqa: E402, F401  (booked loans)
from apps.payments.tests.gateway_fixtures import simulator  # noqa: E402, F401  (loans paid out to another bank)
