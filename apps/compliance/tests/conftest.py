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


@pytest.fixture
def library_with():
    """Register test-only typologies for one test: ``library_with(Broken, TwoInADay)``."""
    from apps.compliance.typologies import base

    added = []

    def register(*classes):
        for typology_class in classes:
            base.register(typology_class)
            added.append(typology_class.code)

    yield register
    for code in added:
        base._LIBRARY.pop(code, None)
