"""The daily periodic review expires KYC by review date (by risk) and by document expiry, and tells the branch."""

import datetime

import pytest
from django.core import mail

from apps.customers.models import Customer
from apps.customers.tests.factories import CustomerFactory, verified_customer
from apps.kyc.models import KycDocument
from apps.kyc.rules import DocumentType
from apps.kyc.services import expire_due_kyc
from apps.kyc.services.checks import review_due_date
from apps.kyc.tasks import periodic_kyc_review
from apps.organization import roles
from apps.organization.tests.factories import StaffFactory
from apps.outbox.models import OutboxEvent

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 23)


@pytest.mark.parametrize(("risk", "years"), [("high", 1), ("medium", 2), ("low", 3)])
def test_review_dates_follow_the_risk_rating(risk, years):
    assert review_due_date(risk_rating=risk, on=TODAY) == TODAY.replace(year=TODAY.year + years)


def test_kyc_expires_when_the_review_date_comes(branch_a):
    customer = verified_customer(branch=branch_a)
    assert expire_due_kyc(on=customer.kyc_review_due - datetime.timedelta(days=1)) == []
    assert expire_due_kyc(on=customer.kyc_review_due) == [customer.pk]
    assert Customer.objects.get(pk=customer.pk).kyc_status == Customer.KycStatus.EXPIRED


def test_kyc_expires_when_a_required_document_expires(branch_a):
    customer = verified_customer(branch=branch_a)
    address = customer.kyc_documents.get(document_type=DocumentType.PROOF_OF_ADDRESS)
    address.expiry_date = TODAY + datetime.timedelta(days=30)
    address.save()
    assert expire_due_kyc(on=address.expiry_date) == []  # valid through its expiry date
    assert expire_due_kyc(on=address.expiry_date + datetime.timedelta(days=1)) == [customer.pk]
    assert KycDocument.objects.get(pk=address.pk).status == KycDocument.Status.EXPIRED
    last_change = KycDocument.history.filter(id=address.pk).order_by("-history_id").first()
    assert last_change.status == KycDocument.Status.EXPIRED and last_change.history_type == "~"
    assert "periodic review" in last_change.history_change_reason


def test_the_review_is_idempotent_and_leaves_other_customers_alone(branch_a):
    due = verified_customer(branch=branch_a)
    pending = CustomerFactory(branch=branch_a)
    later = verified_customer(branch=branch_a)
    later.kyc_review_due = due.kyc_review_due + datetime.timedelta(days=400)
    later.save()
    assert expire_due_kyc(on=due.kyc_review_due) == [due.pk]
    assert expire_due_kyc(on=due.kyc_review_due) == []
    assert Customer.objects.get(pk=pending.pk).kyc_status == "pending"
    assert Customer.objects.get(pk=later.pk).kyc_status == "verified"
    assert OutboxEvent.objects.filter(event_type="kyc.expired").count() == 1


def test_the_beat_task_tells_the_branch_managers_by_email(branch_a, branch_b, bank,
                                                         django_capture_on_commit_callbacks):
    manager = StaffFactory(role=roles.BRANCH_MANAGER, home_branch=branch_a, email="manager.lis@ogpgy.example")
    StaffFactory(role=roles.BRANCH_MANAGER, home_branch=branch_b, email="manager.por@ogpgy.example")
    StaffFactory(role=roles.TELLER, home_branch=branch_a, email="teller.lis@ogpgy.example")
    customer = verified_customer(branch=branch_a, legal_name="Rita Expira")
    bank.current_business_date = customer.kyc_review_due
    bank.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert periodic_kyc_review.delay().get() == 1
    event = OutboxEvent.objects.get(event_type="kyc.expired")
    assert event.state == "delivered"
    assert event.payload["branch_code"] == "LIS01"
    assert [message.to for message in mail.outbox] == [[manager.email]]
    assert "Rita Expira" in mail.outbox[0].body
