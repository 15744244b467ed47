"""Customers for tests of any app. Creation goes through the onboarding service, so the home branch's staff
get access (branch scoping works) and the customer is screened, exactly as in production.

    CustomerFactory(branch=branch_a)                     # KYC pending
    CustomerFactory(branch=branch_a, verified=True)      # KYC verified, required documents on file
    verified_customer(branch=branch_a)                   # the same
    CustomerFactory(customer_type="business", kyc_status="rejected")
"""

from __future__ import annotations

import datetime
import uuid

import factory
from django.utils import timezone

from apps.customers.models import Customer
from apps.customers.services import onboard_customer
from apps.kyc.models import KycDocument
from apps.kyc.rules import required_document_types
from apps.kyc.services.checks import review_due_date
from apps.organization.models import Bank, Branch
from apps.organization.tests.factories import BankFactory, open_test_branch


def _default_branch() -> Branch:
    branch = Branch.objects.filter(code="LIS01").first()
    return branch or open_test_branch(Bank.objects.first() or BankFactory(), "LIS01", "Lisbon")


def _business_date() -> datetime.date:
    bank = Bank.objects.order_by("pk").first() or BankFactory()
    return bank.current_business_date


def kyc_document(customer: Customer, document_type: str, *, status: str = KycDocument.Status.ACCEPTED,
                 expiry_date: datetime.date | None = None, issue_date: datetime.date | None = None) -> KycDocument:
    """A document row without a real file on disk (the name only), for tests that need documents on file."""
    on = _business_date()
    return KycDocument.objects.create(
        customer=customer, document_type=document_type, number=f"X{uuid.uuid4().hex[:8].upper()}",
        issuing_country=customer.country, issue_date=issue_date or on - datetime.timedelta(days=365),
        expiry_date=expiry_date if expiry_date is not None else on + datetime.timedelta(days=5 * 365),
        file=f"kyc/test/{uuid.uuid4().hex}.pdf", content_type="application/pdf", size=1024, sha256="0" * 64,
        status=status,
    )


def make_verified(customer: Customer, *, on: datetime.date | None = None) -> Customer:
    """Put every required document on file and mark the customer's KYC verified (as an approved check would)."""
    on = on or _business_date()
    for document_type in required_document_types(customer):
        kyc_document(customer, document_type)
    customer.kyc_status = Customer.KycStatus.VERIFIED
    customer.kyc_review_due = review_due_date(risk_rating=customer.risk_rating, on=on)
    customer.status = Customer.Status.ACTIVE
    customer.save(update_fields=["kyc_status", "kyc_review_due", "status"])
    return customer


class CustomerFactory(factory.Factory):
    class Meta:
        model = Customer

    customer_type = Customer.Type.INDIVIDUAL
    legal_name = factory.Sequence(lambda n: f"Test Customer {n:04d}")
    email = factory.Sequence(lambda n: f"customer{n}@example.test")
    phone = factory.Sequence(lambda n: f"+35191{n:07d}")
    country = "PT"
    address = "Rua Augusta 1, Lisboa"
    branch = factory.LazyFunction(_default_branch)
    date_of_birth = factory.LazyAttribute(
        lambda o: datetime.date(1985, 5, 17) if o.customer_type == Customer.Type.INDIVIDUAL else None)
    national_id_last4 = factory.LazyAttribute(lambda o: "1234" if o.customer_type == Customer.Type.INDIVIDUAL else "")
    business_registration_number = factory.Sequence(lambda n: f"PT50{n:07d}")
    tax_id = factory.Sequence(lambda n: f"TX{n:07d}")

    @classmethod
    def _create(cls, model_class, *, verified: bool = False, kyc_status: str | None = None, actor=None,
                user=None, **kwargs):
        if kwargs["customer_type"] == Customer.Type.INDIVIDUAL:
            kwargs["business_registration_number"] = ""
        customer = onboard_customer(actor=actor, user=user, **kwargs)
        if verified or kyc_status == Customer.KycStatus.VERIFIED:
            return make_verified(customer)
        if kyc_status:
            customer.kyc_status = kyc_status
            if kyc_status == Customer.KycStatus.EXPIRED:
                customer.kyc_expired_at = timezone.now()
            customer.save(update_fields=["kyc_status", "kyc_expired_at"])
        return customer

    @classmethod
    def _build(cls, model_class, *, verified=False, kyc_status=None, actor=None, **kwargs):
        return model_class(**kwargs)


def verified_customer(*, branch: Branch | None = None, **kwargs) -> Customer:
    if branch is not None:
        kwargs["branch"] = branch
    return CustomerFactory(verified=True, **kwargs)
