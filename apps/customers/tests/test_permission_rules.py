"""Who may onboard and upgrade a customer is the services' rule, met by every caller (API, admin, task)."""

import pytest

from apps.customers.errors import NotAllowedToOnboard, NotAllowedToUpgrade
from apps.customers.models import Customer
from apps.customers.services import onboard_customer, upgrade_to_premium
from apps.customers.tests.factories import verified_customer
from apps.organization.tests.factories import CustomerUserFactory
from apps.outbox.models import OutboxEvent

pytestmark = pytest.mark.django_db


def _application(branch, **overrides):
    return {"customer_type": "individual", "legal_name": "Ana Sousa", "email": "ana.sousa@example.test",
            "phone": "+351910000001", "country": "PT", "branch": branch, "date_of_birth": "1990-01-01",
            **overrides}


@pytest.mark.parametrize("staff", ["loan_officer", "compliance_officer", "auditor", "ops_admin", "teller_b"])
def test_onboarding_refuses_a_role_or_branch_that_may_not_onboard(request, staff, branch_a):
    with pytest.raises(NotAllowedToOnboard) as refused:
        onboard_customer(actor=request.getfixturevalue(staff), **_application(branch_a))
    assert refused.value.status == 403
    assert not Customer.objects.exists()
    assert not OutboxEvent.objects.filter(event_type="customer.onboarded").exists()


def test_onboarding_refuses_a_channel_login_applying_for_another_login(branch_a):
    applicant, someone_else = CustomerUserFactory(), CustomerUserFactory()
    with pytest.raises(NotAllowedToOnboard):
        onboard_customer(actor=applicant, user=someone_else, channel="web", **_application(branch_a))
    assert not Customer.objects.exists()


def test_a_channel_login_applies_for_itself(branch_a):
    applicant = CustomerUserFactory()
    customer = onboard_customer(actor=applicant, user=applicant, channel="web", **_application(branch_a))
    assert customer.user == applicant


@pytest.mark.parametrize("staff", ["teller_a", "loan_officer", "compliance_officer", "auditor", "ops_admin",
                                   "manager_b"])
def test_upgrade_refuses_a_role_or_branch_that_may_not_upgrade(request, staff, branch_a, manager_a):
    customer = verified_customer(branch=branch_a)
    history = customer.history.count()
    with pytest.raises(NotAllowedToUpgrade) as refused:
        upgrade_to_premium(customer=customer, relationship_manager=manager_a, actor=request.getfixturevalue(staff))
    assert refused.value.status == 403
    customer.refresh_from_db()
    assert not customer.is_premium and customer.relationship_manager is None
    assert customer.history.count() == history
    assert not OutboxEvent.objects.filter(event_type="customer.upgraded").exists()
