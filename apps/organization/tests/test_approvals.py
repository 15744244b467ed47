"""Maker-checker: a sensitive operation runs only when a second, entitled person approves it."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from apps.ledger.models import JournalEntry
from apps.ledger.tests.factories import fund, ledger_account, transfer
from apps.organization.errors import CheckerIsMaker, NotAllowedToDecide, RequestNotPending
from apps.organization.models import ApprovalRequest
from apps.organization.services import approve_request, expire_stale_requests, reject_request, request_approval
from tests.database_refusals import refused_by

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(bank, branch_a):
    alice, bob = ledger_account(branch=branch_a), ledger_account(branch=branch_a)
    fund(alice, "50.00")
    return transfer(alice, bob, "20.00", key="mistake")


@pytest.fixture
def reversal_request(entry, manager_a):
    return request_approval(operation="ledger.reverse_journal_entry",
                            parameters={"entry_id": entry.pk, "reason": "wrong payee"},
                            summary="Reverse the mistaken transfer", maker=manager_a)


def _still_pending(request, entry):
    """A refused decision left the request pending and undecided, and its operation not run."""
    stored = ApprovalRequest.objects.get(pk=request.pk)
    assert (stored.state, stored.checker, stored.decided_at) == (ApprovalRequest.State.PENDING, None, None)
    assert not JournalEntry.objects.filter(reverses=entry).exists()


def test_requesting_runs_nothing(reversal_request, entry):
    assert reversal_request.state == ApprovalRequest.State.PENDING
    assert not JournalEntry.objects.filter(reverses=entry).exists()


def test_a_teller_may_not_request_a_reversal(entry, teller_a):
    from apps.domain_errors import PermissionRefused

    with pytest.raises(PermissionRefused):
        request_approval(operation="ledger.reverse_journal_entry", parameters={"entry_id": entry.pk, "reason": "x"},
                         summary="x", maker=teller_a)
    assert not ApprovalRequest.objects.exists()
    assert not JournalEntry.objects.filter(reverses=entry).exists()


def test_the_maker_cannot_approve_their_own_request(reversal_request, manager_a, entry):
    with pytest.raises(CheckerIsMaker):
        approve_request(request=reversal_request, checker=manager_a)
    _still_pending(reversal_request, entry)


def test_the_database_refuses_a_checker_who_is_the_maker(reversal_request, manager_a):
    ApprovalRequest.objects.filter(pk=reversal_request.pk)
    reversal_request.state = ApprovalRequest.State.APPROVED
    reversal_request.checker = manager_a
    reversal_request.decided_at = timezone.now()
    with refused_by("checker_is_not_maker"):
        reversal_request.save()


def test_approval_by_a_second_person_runs_the_operation(reversal_request, ops_admin, entry):
    decided = approve_request(request=reversal_request, checker=ops_admin)
    reversal = JournalEntry.objects.get(reverses=entry)
    assert decided.state == ApprovalRequest.State.APPROVED
    assert decided.checker == ops_admin
    assert decided.result == {"reversal_entry_id": reversal.pk}
    assert reversal.posted_by == ops_admin


def test_a_role_that_may_not_decide_cannot_approve(reversal_request, teller_a, entry):
    with pytest.raises(NotAllowedToDecide):
        approve_request(request=reversal_request, checker=teller_a)
    _still_pending(reversal_request, entry)


def test_a_branch_manager_cannot_decide_another_branch_request(reversal_request, manager_b, entry):
    with pytest.raises(NotAllowedToDecide):
        approve_request(request=reversal_request, checker=manager_b)
    _still_pending(reversal_request, entry)


def test_rejection_needs_a_reason_and_runs_nothing(reversal_request, ops_admin, entry):
    from apps.domain_errors import DomainError

    with pytest.raises(DomainError):
        reject_request(request=reversal_request, checker=ops_admin, reason=" ")
    decided = reject_request(request=reversal_request, checker=ops_admin, reason="not a mistake")
    assert decided.state == ApprovalRequest.State.REJECTED
    assert not JournalEntry.objects.filter(reverses=entry).exists()


def test_a_decided_request_cannot_be_decided_again(reversal_request, ops_admin, manager_b, entry):
    approve_request(request=reversal_request, checker=ops_admin)
    with pytest.raises(RequestNotPending):
        reject_request(request=reversal_request, checker=manager_b, reason="too late")
    decided = ApprovalRequest.objects.get(pk=reversal_request.pk)
    assert (decided.state, decided.checker, decided.decision_reason) == (ApprovalRequest.State.APPROVED, ops_admin, "")
    assert JournalEntry.objects.filter(reverses=entry).count() == 1


def test_stale_requests_expire_and_can_no_longer_be_approved(reversal_request, ops_admin, entry):
    later = reversal_request.expires_at + datetime.timedelta(seconds=1)
    assert expire_stale_requests(now=later) == 1
    with pytest.raises(RequestNotPending):
        approve_request(request=reversal_request, checker=ops_admin, now=later)
    assert not JournalEntry.objects.filter(reverses=entry).exists()


def test_an_approval_whose_operation_is_refused_ends_failed_with_nothing_else_changed(
        reversal_request, ops_admin, entry):
    # given the payee already spent the money, so the reversal would overdraw them
    payee = entry.postings.get(side="C").account
    transfer(payee, ledger_account(), "20.00", key="spent")
    from apps.ledger.errors import InsufficientFunds
    from apps.ledger.models import Posting

    entries, postings = JournalEntry.objects.count(), Posting.objects.count()
    # when
    with pytest.raises(InsufficientFunds) as refusal:
        approve_request(request=reversal_request, checker=ops_admin)
    # then the request says it failed and why, in words; the ledger is as it was
    reversal_request.refresh_from_db()
    assert reversal_request.state == ApprovalRequest.State.FAILED
    assert (reversal_request.checker, reversal_request.failure_reason) == (ops_admin, str(refusal.value))
    assert reversal_request.decided_at is not None
    assert reversal_request.result == {"error_code": refusal.value.code}
    assert (JournalEntry.objects.count(), Posting.objects.count()) == (entries, postings)
    assert not JournalEntry.objects.filter(reverses=entry).exists()
    # and a failed request is decided: it cannot be approved again
    with pytest.raises(RequestNotPending):
        approve_request(request=reversal_request, checker=ops_admin)


def test_a_failed_approval_answers_the_api_with_the_operation_problem_and_is_recorded(
        reversal_request, ops_admin, entry):
    payee = entry.postings.get(side="C").account
    transfer(payee, ledger_account(), "20.00", key="spent")
    client = APIClient()
    client.force_authenticate(ops_admin)
    response = client.post(reverse("v1:approval-request-approve", args=[reversal_request.pk]))
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "insufficient_funds"
    assert ApprovalRequest.objects.get(pk=reversal_request.pk).state == ApprovalRequest.State.FAILED


def test_checker_approves_over_the_api_and_history_records_who(reversal_request, ops_admin, entry):
    client = APIClient()
    client.force_authenticate(ops_admin)
    response = client.post(reverse("v1:approval-request-approve", args=[reversal_request.pk]))
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "approved"
    latest = reversal_request.history.latest()
    assert latest.history_user == ops_admin
    assert reversal_request.history.earliest().history_user == reversal_request.maker


def test_maker_approving_over_the_api_gets_a_problem(reversal_request, manager_a):
    client = APIClient()
    client.force_authenticate(manager_a)
    response = client.post(reverse("v1:approval-request-approve", args=[reversal_request.pk]))
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "checker_is_maker"
