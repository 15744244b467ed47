"""The database itself refuses customers that break the rules, whatever code writes them."""

import datetime

import pytest
from django.db import DataError, IntegrityError, transaction

from apps.customers.models import Customer
from apps.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _violates(customer, **changes):
    for field, value in changes.items():
        setattr(customer, field, value)
    with pytest.raises(IntegrityError), transaction.atomic():
        customer.save()


def test_email_is_unique_whatever_its_letter_case(branch_a):
    CustomerFactory(branch=branch_a, email="ana@example.test")
    other = CustomerFactory(branch=branch_a)
    _violates(other, email="ANA@Example.TEST")


@pytest.mark.parametrize("phone", ["912345678", "+0351912345678", "+351 912 345 678", ""])
def test_phone_must_be_e164(branch_a, phone):
    _violates(CustomerFactory(branch=branch_a), phone=phone)


@pytest.mark.parametrize("last4", ["123", "123456789", "12-4"])
def test_only_the_last_four_of_a_national_id_fit(branch_a, last4):
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        customer = CustomerFactory(branch=branch_a)
        customer.national_id_last4 = last4
        customer.save()


def test_a_premium_customer_has_a_relationship_manager_and_a_date(branch_a):
    _violates(CustomerFactory(branch=branch_a), is_premium=True)


def test_an_individual_has_a_birth_date_and_a_business_a_registration_number(branch_a):
    _violates(CustomerFactory(branch=branch_a), date_of_birth=None)
    _violates(CustomerFactory(branch=branch_a, customer_type="business"), business_registration_number="")


def test_verified_kyc_has_a_review_date(branch_a):
    _violates(CustomerFactory(branch=branch_a), kyc_status=Customer.KycStatus.VERIFIED, kyc_review_due=None)


def test_country_is_two_capital_letters(branch_a):
    _violates(CustomerFactory(branch=branch_a), country="pt")


def test_the_national_id_is_shown_masked(branch_a):
    customer = CustomerFactory(branch=branch_a, national_id_last4="9876", date_of_birth=datetime.date(1990, 1, 1))
    assert customer.national_id_masked == "•••• 9876"


def test_a_blocked_customer_remembers_the_status_unblocking_returns_to(branch_a):
    _violates(CustomerFactory(branch=branch_a), status=Customer.Status.BLOCKED, status_before_block="")


def test_only_a_blocked_customer_has_a_status_before_block(branch_a):
    _violates(CustomerFactory(branch=branch_a), status=Customer.Status.PROSPECT,
              status_before_block=Customer.Status.ACTIVE)
