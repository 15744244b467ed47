import pytest

from apps.accounts.tests.factories import install_chart, open_funded_account, savings_product
from apps.customers.tests.factories import verified_customer
from apps.organization.tests.factories import CustomerUserFactory


@pytest.fixture
def chart(branch_a, branch_b):
    install_chart()


@pytest.fixture
def savings(chart):
    return savings_product(rate="0")


@pytest.fixture
def alice(branch_a):
    return verified_customer(branch=branch_a, user=CustomerUserFactory(), legal_name="Alice Almeida")


@pytest.fixture
def bob(branch_a):
    return verified_customer(branch=branch_a, user=CustomerUserFactory(), legal_name="Bob Batista")


@pytest.fixture
def alice_account(alice, savings, teller_a):
    return open_funded_account(alice, savings, "500.00", teller=teller_a)


@pytest.fixture
def bob_account(bob, savings, teller_a):
    return open_funded_account(bob, savings, "100.00", teller=teller_a)


from apps.payments.tests.gateway_fixtures import simulator  # noqa: E402, F401  (the gateway simulator)
