"""Underwriting and approval: maker-checker (the underwriter never approves alone), limits per role and currency,
the credit committee of two distinct checkers, branch scope, rejection with reasons, and two checkers racing."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from apps.domain_errors import DomainError
from apps.loans.models import ApplicationApproval, ApplicationStatus, LoanApplication, UnderwritingRecommendation
from apps.loans.services.scoring import score_application
from apps.loans.services.underwriting import approve_application, reject_application, underwrite_application
from apps.loans.tests.application_fixtures import submitted, underwritten
from apps.loans.tests.factories import loan_product
from apps.organization import roles
from apps.organization.tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def _refused(code, call, **kwargs):
    with pytest.raises(DomainError) as refused:
        call(**kwargs)
    assert refused.value.code == code, refused.value
    return refused.value


def _unchanged(application, status=ApplicationStatus.UNDER_REVIEW, approvals=0):
    application.refresh_from_db()
    assert application.status == status and application.decided_at is None
    assert ApplicationApproval.objects.filter(application=application).count() == approvals


def test_a_loan_officer_approves_within_their_limit_what_another_underwrote(
        applicant, product, bureau, loan_officer, loan_officer_2):
    application = underwritten(applicant, product, loan_officer, "10000.00")
    approved = approve_application(application=application, checker=loan_officer_2)
    assert approved.status == ApplicationStatus.APPROVED and approved.decided_at is not None
    approval = ApplicationApproval.objects.get()
    assert (approval.checker, approval.authority) == (loan_officer_2, "role")
    assert approved.history.first().history_user == loan_officer_2


def test_the_underwriter_cannot_approve_their_own_recommendation(applicant, product, bureau, loan_officer, manager_a):
    application = underwritten(applicant, product, manager_a, "1000.00")
    _refused("self_approval", approve_application, application=application, checker=manager_a)
    _unchanged(application)


def test_above_the_officer_limit_a_branch_manager_approves(applicant, product, bureau, loan_officer,
                                                          loan_officer_2, manager_a):
    application = underwritten(applicant, product, loan_officer, "10000.01")
    refusal = _refused("approval_limit_exceeded", approve_application, application=application,
                       checker=loan_officer_2)
    assert "10,000.00 EUR" in str(refusal)
    _unchanged(application)
    assert approve_application(application=application, checker=manager_a).status == ApplicationStatus.APPROVED


def test_above_every_limit_two_distinct_committee_members_approve(applicant, product, bureau, loan_officer,
                                                                 manager_a, manager_a2, loan_officer_2):
    application = underwritten(applicant, product, loan_officer, "50000.00", income="20000.00")
    assert approve_application(application=application, checker=manager_a).status == ApplicationStatus.APPROVED
    big = underwritten(applicant, loan_product(code="BIG", maximum_amount=Decimal("500000")), loan_officer,
                       "50000.01", key="big", income="20000.00")
    _refused("approval_limit_exceeded", approve_application, application=big, checker=loan_officer_2)
    first = approve_application(application=big, checker=manager_a)
    assert first.status == ApplicationStatus.UNDER_REVIEW and "1 of the 2" in first.status_reason
    _refused("already_approved_by_you", approve_application, application=big, checker=manager_a)
    _unchanged(big, approvals=1)
    second = approve_application(application=big, checker=manager_a2)
    assert second.status == ApplicationStatus.APPROVED and second.status_reason == ""
    assert set(ApplicationApproval.objects.filter(application=big).values_list("authority", flat=True)) == {
        "credit_committee"}


def test_the_underwriter_does_not_count_on_the_committee(applicant, bureau, chart, manager_a, manager_a2):
    big = loan_product(code="BIG", maximum_amount=Decimal("500000"))
    application = underwritten(applicant, big, manager_a, "60000.00", income="20000.00")
    _refused("self_approval", approve_application, application=application, checker=manager_a)
    assert approve_application(application=application, checker=manager_a2).status == ApplicationStatus.UNDER_REVIEW


def test_limits_are_per_currency_and_a_currency_without_one_goes_to_the_committee(
        applicant, product, bureau, loan_officer, loan_officer_2, settings):
    settings.LOAN_APPROVAL_LIMITS = {"Loan officer": {"USD": "10000.00"}, "Branch manager": {"USD": "50000.00"}}
    application = underwritten(applicant, product, loan_officer, "100.00")  # EUR: no limit for anyone now
    _refused("approval_limit_exceeded", approve_application, application=application, checker=loan_officer_2)
    settings.LOAN_APPROVAL_LIMITS = {"Loan officer": {"EUR": "50.00"}}
    _refused("approval_limit_exceeded", approve_application, application=application, checker=loan_officer_2)
    settings.LOAN_APPROVAL_LIMITS = {"Loan officer": {"EUR": "100.00"}}
    assert approve_application(application=application, checker=loan_officer_2).status == "approved"


def test_staff_of_another_branch_may_not_underwrite_or_approve(applicant, product, bureau, loan_officer, manager_b):
    application = underwritten(applicant, product, loan_officer, "1000.00")
    _refused("branch_trespass", approve_application, application=application, checker=manager_b)
    _refused("branch_trespass", underwrite_application, application=application, underwriter=manager_b,
             recommendation="reject", reasons=["policy"])
    _refused("branch_trespass", reject_application, application=application, actor=manager_b, reasons=["policy"])
    _unchanged(application)
    assert UnderwritingRecommendation.objects.count() == 1


@pytest.mark.parametrize("who", ["teller_a", "auditor"])
def test_tellers_and_auditors_neither_underwrite_nor_approve(request, applicant, product, bureau, loan_officer, who):
    actor = request.getfixturevalue(who)
    application = underwritten(applicant, product, loan_officer, "1000.00")
    _refused("loan_permission_denied", approve_application, application=application, checker=actor)
    _refused("loan_permission_denied", underwrite_application, application=application, underwriter=actor,
             recommendation="approve")
    _unchanged(application)


def test_only_a_recommendation_to_approve_can_be_approved_and_a_new_one_replaces_it(
        applicant, product, bureau, loan_officer, loan_officer_2, manager_a):
    application = submitted(applicant, product)
    _refused("application_not_under_review", underwrite_application, application=application,
             underwriter=loan_officer, recommendation="approve")  # not scored yet
    score_application(application=application, actor=None)
    _refused("rejection_needs_reasons", underwrite_application, application=application, underwriter=loan_officer,
             recommendation="reject")
    underwrite_application(application=application, underwriter=loan_officer, recommendation="reject",
                           reasons=["credit_history"])
    _refused("not_recommended_for_approval", approve_application, application=application, checker=manager_a)
    underwrite_application(application=application, underwriter=loan_officer_2, recommendation="approve")
    _refused("self_approval", approve_application, application=application, checker=loan_officer_2)
    assert approve_application(application=application, checker=loan_officer).status == "approved"


def test_a_rejection_carries_its_reasons_and_ends_the_application(applicant, product, bureau, loan_officer):
    application = underwritten(applicant, product, loan_officer, "1000.00")
    _refused("rejection_needs_reasons", reject_application, application=application, actor=loan_officer, reasons=[])
    _refused("rejection_reason_invalid", reject_application, application=application, actor=loan_officer,
             reasons=[{"code": "made_up"}])
    _unchanged(application)
    rejected = reject_application(application=application, actor=loan_officer, reasons=["insufficient_income"])
    assert rejected.status == ApplicationStatus.REJECTED
    assert rejected.rejection_reasons == [{"code": "insufficient_income",
                                           "message": "Your income does not support the loan asked for."}]
    _refused("application_not_under_review", approve_application, application=rejected, checker=loan_officer)


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_two_checkers_approving_at_once_approve_once(applicant, product, bureau, loan_officer, branch_a):
    managers = [StaffFactory(role=roles.BRANCH_MANAGER, home_branch=branch_a) for _ in range(2)]
    application = underwritten(applicant, product, loan_officer, "5000.00")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(checker):
        try:
            barrier.wait()
            approve_application(application=LoanApplication.objects.get(pk=application.pk), checker=checker)
            outcomes.append("approved")
        except DomainError as refused:
            outcomes.append(refused.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(manager,)) for manager in managers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["application_not_under_review", "approved"]
    assert ApplicationApproval.objects.filter(application=application).count() == 1
    assert LoanApplication.objects.get(pk=application.pk).status == ApplicationStatus.APPROVED
