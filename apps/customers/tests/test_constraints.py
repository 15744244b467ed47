"""The database itself refuses customers that break the rules, whatever code writes them: each test names the
constraint that must refuse (tests/database_refusals.py), so another constraint's refusal cannot pass it."""

import datetime

import pytest
from django.db import DataError, connection, transaction

from apps.customers.models import Customer
from apps.customers.tests.factories import CustomerFactory
from tests.database_refusals import refused_by

pytestmark = pytest.mark.django_db


def _violates(constraint, customer, **changes):
    """``changes`` to ``customer`` are refused by ``constraint``, and the row is as it was."""
    stored = Customer.objects.filter(pk=customer.pk).values(*changes)
    before = stored.get()
    for field, value in changes.items():
        setattr(customer, field, value)
    with refused_by(constraint):
        customer.save()
    assert stored.get() == before


def test_email_is_unique_whatever_its_letter_case(branch_a):
    CustomerFactory(branch=branch_a, email="ana@example.test")
    other = CustomerFactory(branch=branch_a)
    _violates("customer_email_unique_ci", other, email="ANA@Example.TEST")


@pytest.mark.parametrize("phone", ["912345678", "+0351912345678", "+351 912 345 678", ""])
def test_phone_must_be_e164(branch_a, phone):
    _violates("customer_phone_e164", CustomerFactory(branch=branch_a), phone=phone)


@pytest.mark.parametrize("last4", ["123", "12-4"])
def test_only_four_digits_of_a_national_id_fit(branch_a, last4):
    _violates("customer_national_id_last4_only", CustomerFactory(branch=branch_a), national_id_last4=last4)


def test_only_the_last_four_of_a_national_id_fit(branch_a):
    customer = CustomerFactory(branch=branch_a)
    if connection.vendor == "postgresql":  # the column's varchar(4) refuses it before any constraint is checked
        customer.national_id_last4 = "123456789"
        with pytest.raises(DataError, match="too long"), transaction.atomic():
            customer.save()
    else:  # SQLite does not enforce a varchar's length: the constraint does
        _violates("customer_national_id_last4_only", customer, national_id_last4="123456789")


def test_a_premium_customer_has_a_relationship_manager_and_a_date(branch_a):
    _violates("customer_premium_has_manager", CustomerFactory(branch=branch_a), is_premium=True)


def test_an_individual_has_a_birth_date_and_a_business_a_registration_number(branch_a):
    _violates("customer_type_fields", CustomerFactory(branch=branch_a), date_of_birth=None)
    _violates("customer_type_fields", CustomerFactory(branch=branch_a, customer_type="business"),
              business_registration_number="")


def test_verified_kyc_has_a_review_date(branch_a):
    _violates("customer_verified_has_review_date", CustomerFactory(branch=branch_a),
              kyc_status=Customer.KycStatus.VERIFIED, kyc_review_due=None)


def test_expired_kyc_has_an_expiry_time(branch_a):
    _violates("customer_expired_kyc_has_expiry_time", CustomerFactory(branch=branch_a),
              kyc_status=Customer.KycStatus.EXPIRED, kyc_expired_at=None)


def test_a_legal_name_is_not_blank(branch_a):
    _violates("customer_legal_name_not_blank", CustomerFactory(branch=branch_a), legal_name="")


def test_country_is_two_capital_letters(branch_a):
    _violates("customer_country_alpha2", CustomerFactory(branch=branch_a), country="pt")


def test_the_national_id_is_shown_masked(branch_a):
    customer = CustomerFactory(branch=branch_a, national_id_last4="9876", date_of_birth=datetime.date(1990, 1, 1))
    assert customer.national_id_masked == "•••• 9876"


def test_a_blocked_customer_remembers_the_status_unblocking_returns_to(branch_a):
    _violates("customer_blocked_remembers_status_before_block", CustomerFactory(branch=branch_a),
              status=Customer.Status.BLOCKED, status_before_block="")


def test_only_a_blocked_customer_has_a_status_before_block(branch_a):
    _violates("customer_blocked_remembers_status_before_block", CustomerFactory(branch=branch_a),
              status=Customer.Status.PROSPECT, status_before_block=Customer.Status.ACTIVE)
