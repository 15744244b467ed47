"""The KYC check: each risk factor's weight, and the three decisions it leads to."""

import datetime
from decimal import Decimal

import pytest

from apps.customers.models import Customer
from apps.customers.tests.factories import CustomerFactory, kyc_document
from apps.kyc.models import KycCheck, ScreeningHit
from apps.kyc.rules import DocumentType, required_document_types
from apps.kyc.services import run_kyc_check
from apps.kyc.tests.test_screening import listed

pytestmark = pytest.mark.django_db


def _with_documents(customer, skip=()):
    for document_type in required_document_types(customer):
        if document_type not in skip:
            kyc_document(customer, document_type, status="received")
    return customer


def _hit(customer, category, status="open", officer=None):
    entry = listed(customer.legal_name, list_name="PEP Portugal" if category == "pep" else "EU sanctions")
    hit = ScreeningHit.objects.create(customer=customer, entry=entry, score=Decimal("97"), name_score=Decimal("97"),
                                      matched_name=customer.legal_name.lower())
    if status != "open":
        from django.utils import timezone

        hit.status, hit.decided_by, hit.decided_at, hit.decision_reason = status, officer, timezone.now(), "checked"
        hit.save()
    return hit


def test_a_complete_low_risk_customer_is_verified_with_a_review_date_by_risk(branch_a, bank):
    customer = _with_documents(CustomerFactory(branch=branch_a))
    check = run_kyc_check(customer=customer)
    customer.refresh_from_db()
    assert (check.decision, check.score, check.factors) == ("verified", Decimal("0"), [])
    assert customer.kyc_status == Customer.KycStatus.VERIFIED
    assert customer.status == Customer.Status.ACTIVE
    assert customer.risk_rating == "low"
    assert customer.kyc_review_due == datetime.date(2029, 11, 23)  # low risk: three years
    assert set(customer.kyc_documents.values_list("status", flat=True)) == {"accepted"}


def test_a_missing_document_sends_the_customer_to_manual_review(branch_a, bank):
    customer = _with_documents(CustomerFactory(branch=branch_a), skip=[DocumentType.PROOF_OF_ADDRESS])
    check = run_kyc_check(customer=customer)
    assert check.decision == KycCheck.Decision.IN_PROGRESS
    assert check.score == Decimal("0.35")
    assert check.factors[0]["factor"] == "missing_documents"
    assert check.factors[0]["evidence"] == ["proof_of_address"]
    assert Customer.objects.get(pk=customer.pk).kyc_status == "in_progress"


def test_an_expired_document_raises_the_score_to_manual_review(branch_a, bank):
    customer = CustomerFactory(branch=branch_a)
    kyc_document(customer, DocumentType.GOVERNMENT_ID, status="expired",
                 expiry_date=bank.current_business_date - datetime.timedelta(days=1))
    kyc_document(customer, DocumentType.PROOF_OF_ADDRESS)
    check = run_kyc_check(customer=customer)
    assert [f["factor"] for f in check.factors] == ["expired_documents"]
    assert (check.score, check.decision) == (Decimal("0.30"), "in_progress")


def test_a_high_risk_country_alone_is_a_manual_review(branch_a, bank):
    customer = _with_documents(CustomerFactory(branch=branch_a, country="IR"))
    check = run_kyc_check(customer=customer)
    assert [f["factor"] for f in check.factors] == ["high_risk_country"]
    assert check.decision == "in_progress"
    assert Customer.objects.get(pk=customer.pk).risk_rating == "medium"


def test_a_pep_match_is_a_manual_review(branch_a, bank):
    customer = _with_documents(CustomerFactory(branch=branch_a))
    _hit(customer, "pep")
    check = run_kyc_check(customer=customer)
    assert [f["factor"] for f in check.factors] == ["pep_match"]
    assert (check.score, check.decision) == (Decimal("0.35"), "in_progress")


def test_an_open_sanctions_hit_is_a_manual_review_and_a_confirmed_one_a_rejection(branch_a, bank,
                                                                                    compliance_officer):
    customer = _with_documents(CustomerFactory(branch=branch_a))
    hit = _hit(customer, "sanctions")
    assert run_kyc_check(customer=customer).decision == "in_progress"
    hit.status, hit.decided_by, hit.decision_reason = "confirmed", compliance_officer, "same person"
    from django.utils import timezone

    hit.decided_at = timezone.now()
    hit.save()
    check = run_kyc_check(customer=customer)
    assert (check.score, check.decision) == (Decimal("1.00"), "rejected")
    assert Customer.objects.get(pk=customer.pk).kyc_status == "rejected"


def test_a_dismissed_hit_does_not_count(branch_a, bank, compliance_officer):
    customer = _with_documents(CustomerFactory(branch=branch_a))
    _hit(customer, "sanctions", status="dismissed", officer=compliance_officer)
    assert run_kyc_check(customer=customer).decision == "verified"


def test_factors_add_up_to_a_rejection_and_the_score_is_capped_at_one(branch_a, bank):
    customer = CustomerFactory(branch=branch_a, country="KP")  # no documents at all
    _hit(customer, "pep")
    check = run_kyc_check(customer=customer)
    assert {f["factor"] for f in check.factors} == {"missing_documents", "high_risk_country", "pep_match"}
    assert (check.score, check.decision) == (Decimal("1.000"), "rejected")


def test_every_check_is_stored_with_its_inputs_for_the_auditor(branch_a, bank):
    customer = _with_documents(CustomerFactory(branch=branch_a))
    run_kyc_check(customer=customer)
    run_kyc_check(customer=customer)
    checks = KycCheck.objects.filter(customer=customer)
    assert checks.count() == 2
    inputs = checks.first().inputs
    assert inputs["weights"]["sanctions_confirmed_match"] == "1.00"
    assert inputs["documents"]["valid"] == ["government_id", "proof_of_address"]
    assert inputs["business_date"] == "2026-11-23"


def test_a_status_change_is_published_through_the_outbox(branch_a, bank):
    from apps.outbox.models import OutboxEvent

    customer = _with_documents(CustomerFactory(branch=branch_a))
    run_kyc_check(customer=customer)
    event = OutboxEvent.objects.get(event_type="kyc.status_changed")
    assert event.payload["kyc_status"] == "verified"
    assert event.payload["previous_kyc_status"] == "pending"
    run_kyc_check(customer=customer)  # same outcome: no new event
    assert OutboxEvent.objects.filter(event_type="kyc.status_changed").count() == 1
