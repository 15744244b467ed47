"""An expired KYC is verified again only on new evidence: a document received since it expired, or a compliance
review. Running the check again on the evidence that expired changes nothing, through the admin action or the
task it queues; and a re-check never extends a document's validity."""

import datetime

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client
from django.urls import reverse

from apps.customers.models import Customer
from apps.customers.tests.factories import kyc_document, verified_customer
from apps.kyc.models import KycCheck, KycDocument
from apps.kyc.rules import DocumentType
from apps.kyc.services import decide_kyc_review, expire_due_kyc, run_kyc_check
from apps.kyc.tasks import run_kyc_check_task
from apps.outbox.models import OutboxEvent

pytestmark = pytest.mark.django_db


def _expired_by_review_date(branch):
    customer = verified_customer(branch=branch)
    on = customer.kyc_review_due
    assert expire_due_kyc(on=on) == [customer.pk]
    return Customer.objects.get(pk=customer.pk), on


def _kyc_events(customer):
    return OutboxEvent.objects.filter(event_type="kyc.status_changed", aggregate_id=str(customer.pk)).count()


def test_the_admin_recheck_does_not_verify_an_expired_customer_without_new_evidence(manager_a, branch_a,
                                                                                     django_capture_on_commit_callbacks):
    # given: Pedro's KYC expired on its review date, his documents still on file
    customer, expired_on = _expired_by_review_date(branch_a)
    history_rows, events = customer.history.count(), _kyc_events(customer)
    client = Client()
    client.force_login(manager_a)
    # when: Customers → Pedro → "Run the KYC check again" (the check runs in the task the action queues)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:customers_customer_changelist"), {
            "action": "check_kyc_again", ACTION_CHECKBOX_NAME: [customer.pk]})
    # then: a check is on record, but KYC stays expired with the review date that expired
    assert response.status_code == 302
    after = Customer.objects.get(pk=customer.pk)
    assert after.kyc_status == Customer.KycStatus.EXPIRED
    assert after.kyc_review_due == expired_on
    check = KycCheck.objects.filter(customer=customer).latest("pk")
    assert check.inputs["new_documents_since_expiry"] == []
    assert _kyc_events(customer) == events
    assert after.history.count() == history_rows + 1  # the risk rating is written again, nothing else changed
    assert after.history.first().kyc_status == Customer.KycStatus.EXPIRED


def test_the_queued_check_does_not_verify_an_expired_customer_without_new_evidence(branch_a):
    customer, expired_on = _expired_by_review_date(branch_a)
    run_kyc_check_task(customer.pk)
    run_kyc_check(customer=customer, on=expired_on + datetime.timedelta(days=3))
    after = Customer.objects.get(pk=customer.pk)
    assert (after.kyc_status, after.kyc_review_due) == (Customer.KycStatus.EXPIRED, expired_on)


def test_a_review_decided_before_the_expiry_does_not_stand_after_it(compliance_officer, manager_a, branch_a):
    # given: a customer approved by hand (same evidence since), then expired on the review date
    customer = verified_customer(branch=branch_a, actor=manager_a, country="IR")
    Customer.objects.filter(pk=customer.pk).update(kyc_status=Customer.KycStatus.IN_PROGRESS)
    run_kyc_check(customer=customer)
    decide_kyc_review(customer=customer, reviewer=compliance_officer, approve=True, reason="EDD done")
    due = Customer.objects.get(pk=customer.pk).kyc_review_due
    expire_due_kyc(on=due)
    # when
    run_kyc_check(customer=customer, on=due)
    # then
    assert Customer.objects.get(pk=customer.pk).kyc_status == Customer.KycStatus.EXPIRED


def test_a_document_received_after_the_expiry_verifies_again_with_a_new_review_date(branch_a):
    customer, expired_on = _expired_by_review_date(branch_a)
    new_address = kyc_document(customer, DocumentType.PROOF_OF_ADDRESS, status=KycDocument.Status.RECEIVED,
                               expiry_date=expired_on + datetime.timedelta(days=3 * 365))
    check = run_kyc_check(customer=customer, on=expired_on)
    after = Customer.objects.get(pk=customer.pk)
    assert after.kyc_status == Customer.KycStatus.VERIFIED
    assert after.kyc_review_due == expired_on.replace(year=expired_on.year + 3)
    assert check.inputs["new_documents_since_expiry"] == [new_address.pk]


def test_a_compliance_review_verifies_an_expired_customer_again(compliance_officer, branch_a):
    customer, expired_on = _expired_by_review_date(branch_a)
    decide_kyc_review(customer=customer, reviewer=compliance_officer, approve=True,
                      reason="Periodic review: documents and activity checked", on=expired_on)
    after = Customer.objects.get(pk=customer.pk)
    assert after.kyc_status == Customer.KycStatus.VERIFIED
    assert after.kyc_review_due == expired_on.replace(year=expired_on.year + 3)


def test_a_recheck_never_extends_an_expired_document(branch_a):
    # given: KYC expired because the proof of address expired
    customer = verified_customer(branch=branch_a)
    address = customer.kyc_documents.get(document_type=DocumentType.PROOF_OF_ADDRESS)
    address.expiry_date = customer.kyc_review_due - datetime.timedelta(days=400)
    address.save()
    day_after = address.expiry_date + datetime.timedelta(days=1)
    assert expire_due_kyc(on=day_after) == [customer.pk]
    # when: the check runs again, even on a date before the document's expiry date
    run_kyc_check(customer=customer, on=address.expiry_date - datetime.timedelta(days=10))
    # then: the document stays expired, and KYC is not verified on it (the check sends it to manual review)
    assert KycDocument.objects.get(pk=address.pk).status == KycDocument.Status.EXPIRED
    assert Customer.objects.get(pk=customer.pk).kyc_status == Customer.KycStatus.IN_PROGRESS
