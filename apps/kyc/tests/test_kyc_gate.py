"""ensure_kyc_verified: the one question accounts, loans and payments ask before serving a customer."""

import datetime

import pytest

from apps.customers.models import Customer
from apps.customers.tests.factories import CustomerFactory, verified_customer
from apps.kyc.errors import KycNotVerified
from apps.kyc.models import KycDocument
from apps.kyc.rules import DocumentType
from apps.kyc.selectors import ensure_kyc_verified, is_kyc_verified

pytestmark = pytest.mark.django_db


def test_a_verified_customer_passes(branch_a):
    customer = verified_customer(branch=branch_a)
    ensure_kyc_verified(customer)
    assert is_kyc_verified(customer)


@pytest.mark.parametrize("status", ["pending", "in_progress", "rejected", "expired"])
def test_any_other_kyc_status_is_refused_with_a_stable_code(branch_a, status):
    customer = CustomerFactory(branch=branch_a, kyc_status=status)
    with pytest.raises(KycNotVerified) as refused:
        ensure_kyc_verified(customer)
    assert refused.value.code == "kyc_not_verified"
    assert refused.value.status == 422
    assert not is_kyc_verified(customer)


def test_verified_kyc_past_its_review_date_is_refused_before_the_daily_review_runs(branch_a):
    customer = verified_customer(branch=branch_a)
    assert not is_kyc_verified(customer, on=customer.kyc_review_due)
    assert is_kyc_verified(customer, on=customer.kyc_review_due - datetime.timedelta(days=1))


def test_verified_kyc_with_an_expired_required_document_is_refused(branch_a, bank):
    customer = verified_customer(branch=branch_a)
    passport = customer.kyc_documents.get(document_type=DocumentType.GOVERNMENT_ID)
    passport.expiry_date = bank.current_business_date + datetime.timedelta(days=100)
    passport.save()
    with pytest.raises(KycNotVerified, match="government_id"):
        ensure_kyc_verified(customer, on=passport.expiry_date + datetime.timedelta(days=1))


def test_a_newer_document_of_the_same_type_covers_an_expired_one(branch_a, bank):
    customer = verified_customer(branch=branch_a)
    passport = customer.kyc_documents.get(document_type=DocumentType.GOVERNMENT_ID)
    passport.status = KycDocument.Status.EXPIRED
    passport.save()
    from apps.customers.tests.factories import kyc_document

    kyc_document(customer, DocumentType.GOVERNMENT_ID)
    assert is_kyc_verified(customer)


def test_the_factory_gives_the_home_branch_access(branch_a, branch_b, teller_a, teller_b):
    from apps.organization.branch_scope import can_access, visible_to

    customer = CustomerFactory(branch=branch_a)
    assert can_access(teller_a, customer)
    assert not can_access(teller_b, customer)
    assert list(visible_to(teller_b, Customer.objects.all())) == []
