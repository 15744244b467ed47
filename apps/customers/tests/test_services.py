"""Onboarding, updates and the premium upgrade."""

import datetime

import pytest

from apps.customers.errors import AlreadyPremium, DuplicateCustomerEmail, InvalidCustomerData, NotPremiumEligible
from apps.customers.models import Customer
from apps.customers.services import onboard_customer, update_customer, upgrade_to_premium
from apps.customers.tests.factories import CustomerFactory
from apps.kyc.models import KycCheck
from apps.organization.branch_scope import can_access
from apps.outbox.models import OutboxEvent

pytestmark = pytest.mark.django_db


def _application(branch, **overrides):
    application = {"customer_type": "individual", "legal_name": "Ana Sousa", "email": "ana.sousa@example.test",
                   "phone": "+351912345678", "country": "PT", "branch": branch,
                   "date_of_birth": datetime.date(1990, 4, 2), "national_id_last4": "4321"}
    application.update(overrides)
    return application


def test_onboarding_creates_a_pending_prospect_and_checks_kyc_after_commit(branch_a, teller_a, teller_b,
                                                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        customer = onboard_customer(actor=teller_a, **_application(branch_a))
    assert (customer.kyc_status, customer.status, customer.created_by) == ("pending", "prospect", teller_a)
    assert not KycCheck.objects.exists()  # not before commit
    for callback in callbacks:
        callback()
    customer.refresh_from_db()
    check = KycCheck.objects.get(customer=customer)
    assert check.decision == "in_progress"  # no documents yet
    assert customer.kyc_status == "in_progress"
    assert can_access(teller_a, customer) and not can_access(teller_b, customer)
    assert OutboxEvent.objects.filter(event_type="customer.onboarded", aggregate_id=str(customer.pk)).exists()
    assert customer.history.get(history_type="+").history_user == teller_a


def test_a_second_application_with_the_same_email_is_refused(branch_a, branch_b, teller_a):
    onboard_customer(actor=teller_a, **_application(branch_a))
    with pytest.raises(DuplicateCustomerEmail, match=r"ANA\.SOUSA@example\.test already exists"):
        onboard_customer(actor=None, channel="web", **_application(branch_b, email="ANA.SOUSA@example.test"))
    assert Customer.objects.count() == 1
    assert OutboxEvent.objects.filter(event_type="customer.onboarded").count() == 1


@pytest.mark.parametrize(("field", "value", "message"), [
    ("phone", "912345678", "E.164"),
    ("country", "XX", "ISO 3166"),
    ("date_of_birth", None, "date of birth"),
    ("national_id_last4", "123456789", "last four"),
])
def test_invalid_applications_are_refused_with_a_clear_message(branch_a, teller_a, field, value, message):
    with pytest.raises(InvalidCustomerData, match=message):
        onboard_customer(actor=teller_a, **_application(branch_a, **{field: value}))
    assert not Customer.objects.exists()
    assert not OutboxEvent.objects.exists()


def test_a_business_needs_its_registration_number(branch_a, teller_a):
    with pytest.raises(InvalidCustomerData, match="registration number"):
        onboard_customer(actor=teller_a, **_application(branch_a, customer_type="business", date_of_birth=None,
                                                        national_id_last4=""))
    assert not Customer.objects.exists()
    assert not OutboxEvent.objects.exists()


def test_a_channel_application_has_no_maker(branch_a):
    customer = onboard_customer(actor=None, channel="web", **_application(branch_a))
    assert customer.created_by is None


def test_premium_upgrade_sets_the_manager_and_date_and_publishes_an_event(branch_a, manager_a):
    customer = CustomerFactory(branch=branch_a, verified=True)
    upgrade_to_premium(customer=customer, relationship_manager=manager_a, actor=manager_a)
    customer.refresh_from_db()
    assert (customer.is_premium, customer.relationship_manager, customer.premium_since) == (
        True, manager_a, datetime.date(2026, 11, 23))
    assert OutboxEvent.objects.get(event_type="customer.upgraded").payload["relationship_manager_id"] == manager_a.pk


def test_premium_upgrade_is_refused_if_already_premium(branch_a, manager_a, manager_b):
    customer = CustomerFactory(branch=branch_a)
    upgrade_to_premium(customer=customer, relationship_manager=manager_a, actor=manager_a)
    with pytest.raises(AlreadyPremium):
        upgrade_to_premium(customer=customer, relationship_manager=manager_b, actor=manager_a)
    assert Customer.objects.get(pk=customer.pk).relationship_manager == manager_a


def test_premium_is_for_individuals_with_a_staff_manager(branch_a, manager_a):
    from apps.organization.tests.factories import CustomerUserFactory

    business, individual = CustomerFactory(branch=branch_a, customer_type="business"), CustomerFactory(branch=branch_a)
    with pytest.raises(NotPremiumEligible):
        upgrade_to_premium(customer=business, relationship_manager=manager_a, actor=manager_a)
    with pytest.raises(NotPremiumEligible):
        upgrade_to_premium(customer=individual, relationship_manager=CustomerUserFactory(), actor=manager_a)
    assert not Customer.objects.filter(is_premium=True).exists()
    assert not Customer.objects.exclude(relationship_manager=None).exists()
    assert not OutboxEvent.objects.filter(event_type="customer.upgraded").exists()


def test_a_premium_customer_needs_income_verification_too(branch_a, manager_a, django_capture_on_commit_callbacks):
    customer = CustomerFactory(branch=branch_a, verified=True)
    with django_capture_on_commit_callbacks(execute=True):
        upgrade_to_premium(customer=customer, relationship_manager=manager_a, actor=manager_a)
    check = KycCheck.objects.get(customer=customer)
    assert check.factors[0]["evidence"] == ["income_verification"]
    assert Customer.objects.get(pk=customer.pk).kyc_status == "in_progress"


def test_an_update_refuses_an_email_of_another_customer(branch_a, teller_a):
    CustomerFactory(branch=branch_a, email="taken@example.test")
    customer = CustomerFactory(branch=branch_a)
    email, history_before = customer.email, customer.history.count()
    with pytest.raises(DuplicateCustomerEmail):
        update_customer(customer=customer, actor=teller_a, email="Taken@example.test")
    assert Customer.objects.get(pk=customer.pk).email == email
    assert customer.history.count() == history_before


def test_an_update_cannot_touch_the_kyc_outcome(branch_a, teller_a):
    customer = CustomerFactory(branch=branch_a)
    kyc_status, history_before = customer.kyc_status, customer.history.count()
    with pytest.raises(InvalidCustomerData, match="kyc_status"):
        update_customer(customer=customer, actor=teller_a, kyc_status="verified")
    assert Customer.objects.get(pk=customer.pk).kyc_status == kyc_status
    assert customer.history.count() == history_before
