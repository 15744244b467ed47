"""Manual review: compliance decides customers the check could not, and never a customer they onboarded."""

import pytest

from apps.customers.models import Customer
from apps.customers.tests.factories import CustomerFactory, kyc_document
from apps.domain_errors import DomainError
from apps.kyc.errors import NotAllowedToReview, ReviewerIsMaker, ReviewNotPending
from apps.kyc.models import KycReview
from apps.kyc.rules import required_document_types
from apps.kyc.services import decide_kyc_review
from apps.organization import roles
from apps.organization.tests.factories import StaffFactory
from tests.database_refusals import refused_by

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_review(branch_a, manager_a):
    customer = CustomerFactory(branch=branch_a, actor=manager_a, country="IR", kyc_status="in_progress")
    for document_type in required_document_types(customer):
        kyc_document(customer, document_type)
    return customer


def test_a_compliance_officer_approves_with_a_reason(in_review, compliance_officer):
    review = decide_kyc_review(customer=in_review, reviewer=compliance_officer, approve=True,
                               reason="Resident in Lisbon for 10 years, employer confirmed")
    in_review.refresh_from_db()
    assert in_review.kyc_status == Customer.KycStatus.VERIFIED
    assert in_review.kyc_review_due is not None
    assert review.maker == in_review.created_by
    assert in_review.history.first().history_user == compliance_officer


def test_a_rejection_is_recorded_with_its_reason(in_review, compliance_officer):
    decide_kyc_review(customer=in_review, reviewer=compliance_officer, approve=False, reason="Forged utility bill")
    assert Customer.objects.get(pk=in_review.pk).kyc_status == "rejected"
    assert KycReview.objects.get().reason == "Forged utility bill"


def test_the_staff_member_who_onboarded_cannot_review(branch_a, onboarding_compliance_officer):
    customer = CustomerFactory(branch=branch_a, actor=onboarding_compliance_officer, kyc_status="in_progress")
    with pytest.raises(ReviewerIsMaker):
        decide_kyc_review(customer=customer, reviewer=onboarding_compliance_officer, approve=True, reason="ok")
    assert Customer.objects.get(pk=customer.pk).kyc_status == "in_progress"
    assert not KycReview.objects.exists()


def test_the_database_refuses_a_review_by_its_maker(in_review):
    with refused_by("kyc_reviewer_is_not_maker"):
        KycReview.objects.create(customer=in_review, maker=in_review.created_by, reviewer=in_review.created_by,
                                 decision="approved", reason="self-approval")


def _nothing_decided(customer, history_before):
    assert Customer.objects.get(pk=customer.pk).kyc_status == customer.kyc_status
    assert customer.history.count() == history_before
    assert not KycReview.objects.exists()


def test_a_role_without_the_review_permission_is_refused(in_review, teller_a):
    history_before = in_review.history.count()
    with pytest.raises(NotAllowedToReview):
        decide_kyc_review(customer=in_review, reviewer=teller_a, approve=True, reason="ok")
    _nothing_decided(in_review, history_before)


def test_only_customers_in_manual_review_can_be_decided(branch_a, compliance_officer):
    customer = CustomerFactory(branch=branch_a, verified=True)
    history_before = customer.history.count()
    with pytest.raises(ReviewNotPending):
        decide_kyc_review(customer=customer, reviewer=compliance_officer, approve=False, reason="no")
    _nothing_decided(customer, history_before)


def test_approval_needs_the_required_documents(branch_a, manager_a, compliance_officer):
    customer = CustomerFactory(branch=branch_a, actor=manager_a, kyc_status="in_progress")
    with pytest.raises(DomainError, match="documents are missing"):
        decide_kyc_review(customer=customer, reviewer=compliance_officer, approve=True, reason="looks fine")
    assert Customer.objects.get(pk=customer.pk).kyc_status == "in_progress"


def test_a_reason_is_required(in_review, compliance_officer):
    history_before = in_review.history.count()
    with pytest.raises(DomainError, match="Say why"):
        decide_kyc_review(customer=in_review, reviewer=compliance_officer, approve=True, reason="  ")
    _nothing_decided(in_review, history_before)


def test_a_second_compliance_officer_may_review_a_customer_the_first_onboarded(branch_a,
                                                                            onboarding_compliance_officer):
    customer = CustomerFactory(branch=branch_a, actor=onboarding_compliance_officer, kyc_status="in_progress")
    for document_type in required_document_types(customer):
        kyc_document(customer, document_type)
    colleague = StaffFactory(role=roles.COMPLIANCE_OFFICER, home_branch=branch_a)
    decide_kyc_review(customer=customer, reviewer=colleague, approve=True, reason="Checked by a second officer")
    assert Customer.objects.get(pk=customer.pk).kyc_status == "verified"


def test_a_manual_decision_stands_when_the_check_runs_again_on_the_same_evidence(in_review, compliance_officer,
                                                                                 bank):
    from apps.kyc.services import run_kyc_check

    run_kyc_check(customer=in_review)  # high-risk country: manual review
    decide_kyc_review(customer=in_review, reviewer=compliance_officer, approve=False, reason="Unclear funds")
    check = run_kyc_check(customer=in_review)
    assert check.decision == "in_progress"
    assert check.inputs["manual_review_stands"]["decision"] == "rejected"
    assert Customer.objects.get(pk=in_review.pk).kyc_status == "rejected"


def test_an_approval_stands_on_the_same_evidence_and_keeps_its_review_date(in_review, compliance_officer, bank):
    from apps.kyc.services import run_kyc_check

    run_kyc_check(customer=in_review)
    decide_kyc_review(customer=in_review, reviewer=compliance_officer, approve=True, reason="Known customer")
    due = Customer.objects.get(pk=in_review.pk).kyc_review_due
    run_kyc_check(customer=in_review, on=bank.current_business_date.replace(year=2027))
    customer = Customer.objects.get(pk=in_review.pk)
    assert (customer.kyc_status, customer.kyc_review_due) == ("verified", due)


def test_new_evidence_lets_the_check_decide_again(in_review, compliance_officer, bank):
    from apps.kyc.models import KycDocument
    from apps.kyc.services import run_kyc_check

    run_kyc_check(customer=in_review)
    decide_kyc_review(customer=in_review, reviewer=compliance_officer, approve=True, reason="Known customer")
    KycDocument.objects.filter(customer=in_review, document_type="proof_of_address").update(status="rejected")
    check = run_kyc_check(customer=in_review)
    assert "manual_review_stands" not in check.inputs
    assert Customer.objects.get(pk=in_review.pk).kyc_status == "in_progress"
