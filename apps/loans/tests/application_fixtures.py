"""Fixtures of the loan application tests: a bureau simulator on loopback, an applicant with a login and a funded
account, and applications built through the services (import the fixtures a module uses by name)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.accounts.tests.factories import open_funded_account, savings_product
from apps.customers.tests.factories import verified_customer
from apps.loans.bureau.simulator import BureauSimulatorServer
from apps.loans.services.applications import ApplicationTerms, submit_application
from apps.loans.services.scoring import score_application
from apps.loans.services.underwriting import underwrite_application
from apps.money import Money
from apps.organization import roles
from apps.organization.tests.factories import CustomerUserFactory, StaffFactory


@pytest.fixture(scope="session")
def bureau_server():
    with BureauSimulatorServer() as server:
        yield server


@pytest.fixture
def bureau(bureau_server, settings):
    """The simulated bureau the settings point at, answering, with no files set."""
    simulated = bureau_server.bureau
    simulated.set_behaviour("answer")
    simulated.files.clear()
    simulated.no_file.clear()
    simulated.reports.clear()
    settings.CREDIT_BUREAU = "http"
    settings.CREDIT_BUREAU_URL = bureau_server.url
    settings.CREDIT_BUREAU_API_TOKEN = simulated.api_token
    settings.CREDIT_BUREAU_TIMEOUT = 0.3
    return simulated


@pytest.fixture
def applicant(chart, branch_a, teller_a):
    customer = verified_customer(branch=branch_a, user=CustomerUserFactory(), legal_name="Ana Applicant")
    open_funded_account(customer, savings_product(rate="0"), "3000.00", teller=teller_a)
    return customer


@pytest.fixture
def loan_officer_2(branch_a):
    return StaffFactory(role=roles.LOAN_OFFICER, home_branch=branch_a)


@pytest.fixture
def manager_a2(branch_a):
    return StaffFactory(role=roles.BRANCH_MANAGER, home_branch=branch_a)


def terms(product, amount="5000.00", *, income="3000.00", obligations="200.00", **overrides) -> ApplicationTerms:
    currency = product.currency
    values = dict(product=product, amount=Money(amount, currency), declared_monthly_income=Money(income, currency),
                  declared_monthly_obligations=Money(obligations, currency), term=24, annual_rate=Decimal("9.5"))
    values.update(overrides)
    return ApplicationTerms(**values)


def submitted(customer, product, amount="5000.00", *, key="apply-1", by=None, **overrides):
    return submit_application(customer=customer, terms=terms(product, amount, **overrides), idempotency_key=key,
                              submitted_by=by or customer.user)


def underwritten(customer, product, underwriter, amount="5000.00", *, key="apply-1", **overrides):
    """An application submitted, scored with the simulator and recommended for approval by ``underwriter``."""
    application = submitted(customer, product, amount, key=key, **overrides)
    score_application(application=application, actor=None)
    underwrite_application(application=application, underwriter=underwriter, recommendation="approve")
    application.refresh_from_db()
    return application
