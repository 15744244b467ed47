"""Fixtures shared by every app's tests: the bank, its branches, and staff in each role."""

import pytest
from django.core.cache import cache

from apps.organization import roles
from apps.organization.tests.factories import BankFactory, StaffFactory, open_test_branch


@pytest.fixture(autouse=True)
def _clear_cache_between_tests():
    """Throttle counters and lockouts live in Redis under this run's prefix; each test starts clean."""
    yield
    cache.clear()


@pytest.fixture
def bank(db):
    return BankFactory()


@pytest.fixture
def branch_a(bank):
    return open_test_branch(bank, "LIS01", "Lisbon")


@pytest.fixture
def branch_b(bank):
    return open_test_branch(bank, "POR01", "Porto")


@pytest.fixture
def teller_a(branch_a):
    return StaffFactory(role=roles.TELLER, home_branch=branch_a)


@pytest.fixture
def teller_b(branch_b):
    return StaffFactory(role=roles.TELLER, home_branch=branch_b)


@pytest.fixture
def manager_a(branch_a):
    return StaffFactory(role=roles.BRANCH_MANAGER, home_branch=branch_a)


@pytest.fixture
def manager_b(branch_b):
    return StaffFactory(role=roles.BRANCH_MANAGER, home_branch=branch_b)


@pytest.fixture
def auditor(branch_a):
    return StaffFactory(role=roles.AUDITOR, home_branch=branch_a)


@pytest.fixture
def compliance_officer(branch_a):
    return StaffFactory(role=roles.COMPLIANCE_OFFICER, home_branch=branch_a)


@pytest.fixture
def ops_admin(branch_a):
    return StaffFactory(role=roles.OPERATIONS_ADMIN, home_branch=branch_a)
