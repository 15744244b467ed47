"""The checker's inbox in the admin: a request's page says what approving will do, and decides it with its own
Approve and Reject buttons, through the same services (and their refusals) as the API and the list's actions."""

from decimal import Decimal

import pytest
from django.urls import reverse

from apps.accounts.models import TellerTransaction
from apps.accounts.services.teller import cash_withdrawal, submit_cash_operation
from apps.accounts.tests.factories import install_chart, open_funded_account, savings_product
from apps.customers.tests.factories import verified_customer
from apps.ledger.models import JournalEntry
from apps.money import Money
from apps.organization.models import ApprovalRequest
from apps.organization.tests.admin_approvals import admin_client

pytestmark = pytest.mark.django_db
EUR = "EUR"


@pytest.fixture
def account(branch_a, branch_b, teller_a, settings):
    settings.TELLER_CASH_LIMITS = {"Teller": {EUR: "1000.00"}, "Branch manager": {EUR: "50000.00"}}
    install_chart()
    customer = verified_customer(branch=branch_a, legal_name="Ana Costa")
    return open_funded_account(customer, savings_product(), "6000.00", teller=teller_a)


@pytest.fixture
def withdrawal_request(account, teller_a):
    """The teller asks for a 5,000.00 EUR withdrawal, above their 1,000.00 limit: a manager must approve it."""
    return submit_cash_operation(kind="withdrawal", account=account, amount=Money("5000.00", EUR), teller=teller_a,
                                 idempotency_key="counter-7f3a9c")


def _page(user, approval):
    return admin_client(user).get(reverse("admin:organization_approvalrequest_change", args=[approval.pk]))


def _decide(user, approval, **data):
    return admin_client(user).post(reverse("admin:organization_approvalrequest_decide", args=[approval.pk]), data,
                                   follow=True)


def _balance(account) -> Decimal:
    account.ledger_account.refresh_from_db()
    return account.ledger_account.balance


def _nothing_happened(approval, account, *, balance="6000.00"):
    stored = ApprovalRequest.objects.get(pk=approval.pk)
    assert (stored.state, stored.checker, stored.decided_at) == (ApprovalRequest.State.PENDING, None, None)
    assert not TellerTransaction.objects.filter(idempotency_key="counter-7f3a9c").exists()
    assert _balance(account) == Decimal(balance)


def test_the_request_page_says_in_words_who_asked_and_what_will_happen(withdrawal_request, manager_a, teller_a,
                                                                        account):
    response = _page(manager_a, withdrawal_request)
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Cash withdrawal of 5,000.00 EUR from account {account.number} (Ana Costa" in page
    assert teller_a.username in page
    # never the raw parameters, never the idempotency key; no Save button, the decision buttons instead
    assert "counter-7f3a9c" not in page and "idempotency" not in page and '"account_id"' not in page
    assert 'name="_save"' not in page
    assert 'value="approve"' in page and 'value="reject"' in page and 'name="reason"' in page


def test_a_configuration_change_page_shows_its_before_and_after(ops_admin, ops_checker, branch_a):
    from apps.ledger.services import propose_ledger_account_change
    from apps.ledger.tests.factories import ledger_account

    house = ledger_account(branch=branch_a, code="2900", name="Suspense")
    house.name = "Suspense (payments)"
    approval = propose_ledger_account_change(proposed=house, maker=ops_admin)
    page = _page(ops_checker, approval).content.decode()
    assert "Change ledger account 2900 Suspense: name." in page
    assert "<th>Name</th><td>Suspense</td><td>Suspense (payments)</td>" in page


def test_the_manager_approves_from_the_page_and_the_withdrawal_is_paid(withdrawal_request, manager_a, teller_a,
                                                                       account):
    response = _decide(manager_a, withdrawal_request, decision="approve")
    assert response.status_code == 200
    decided = ApprovalRequest.objects.get(pk=withdrawal_request.pk)
    assert (decided.state, decided.checker) == (ApprovalRequest.State.APPROVED, manager_a)
    receipt = TellerTransaction.objects.get(idempotency_key="counter-7f3a9c")
    assert (receipt.teller, receipt.approved_by) == (teller_a, manager_a)
    assert _balance(account) == Decimal("1000.00")
    assert "approved" in response.content.decode()


def test_the_manager_rejects_from_the_page_with_a_reason_and_nothing_is_paid(withdrawal_request, manager_a, account):
    _decide(manager_a, withdrawal_request, decision="reject", reason="Customer not present")
    decided = ApprovalRequest.objects.get(pk=withdrawal_request.pk)
    assert (decided.state, decided.checker, decided.decision_reason) == (
        ApprovalRequest.State.REJECTED, manager_a, "Customer not present")
    assert not TellerTransaction.objects.filter(idempotency_key="counter-7f3a9c").exists()
    assert _balance(account) == Decimal("6000.00")


def test_a_rejection_without_a_reason_is_refused_and_leaves_the_request_pending(withdrawal_request, manager_a,
                                                                                 account):
    response = _decide(manager_a, withdrawal_request, decision="reject", reason="  ")
    assert "Say why the request is rejected." in response.content.decode()
    _nothing_happened(withdrawal_request, account)


def test_the_maker_deciding_their_own_request_from_the_page_is_refused(withdrawal_request, teller_a, manager_a,
                                                                        account):
    # the teller's role may not decide at all; a maker who may (a manager's own request) is refused as the maker
    _decide(teller_a, withdrawal_request, decision="approve")
    _nothing_happened(withdrawal_request, account)
    own = submit_cash_operation(kind="deposit", account=account, amount=Money("60000.00", EUR), teller=manager_a,
                                idempotency_key="manager-own")
    page = _page(manager_a, own).content.decode()
    assert "You made this request: another person must decide it." in page and 'value="approve"' not in page
    response = _decide(manager_a, own, decision="approve")
    assert "another person must decide it" in response.content.decode()
    assert ApprovalRequest.objects.get(pk=own.pk).state == ApprovalRequest.State.PENDING
    _nothing_happened(withdrawal_request, account)


def test_another_branch_manager_cannot_decide_and_nothing_is_paid(withdrawal_request, manager_b, account):
    response = _decide(manager_b, withdrawal_request, decision="approve")
    assert response.status_code == 200  # outside their branch: the request is not theirs to see
    _nothing_happened(withdrawal_request, account)


def test_an_approval_whose_withdrawal_no_longer_fits_ends_failed_and_says_why(withdrawal_request, manager_a, teller_a,
                                                                              account):
    # given: since the request, 2,000.00 EUR left the account at the counter (within the teller's limit)
    cash_withdrawal(account=account, amount=Money("1000.00", EUR), teller=teller_a, idempotency_key="w1")
    cash_withdrawal(account=account, amount=Money("1000.00", EUR), teller=teller_a, idempotency_key="w2")
    entries = JournalEntry.objects.count()
    # when the manager approves the 5,000.00 withdrawal
    response = _decide(manager_a, withdrawal_request, decision="approve")
    # then: the request failed, with the refusal in words, and nothing was paid
    decided = ApprovalRequest.objects.get(pk=withdrawal_request.pk)
    assert (decided.state, decided.checker) == (ApprovalRequest.State.FAILED, manager_a)
    assert "available" in decided.failure_reason.lower()
    assert "nothing of it was done" in response.content.decode()
    assert not TellerTransaction.objects.filter(idempotency_key="counter-7f3a9c").exists()
    assert JournalEntry.objects.count() == entries and _balance(account) == Decimal("4000.00")
    page = _page(manager_a, decided).content.decode()
    assert "Failed when it ran" in page and decided.failure_reason in page and 'value="approve"' not in page


def test_the_list_bulk_approve_still_decides(withdrawal_request, manager_a, account):
    from apps.organization.tests.admin_approvals import approve_in_admin

    approve_in_admin(manager_a, withdrawal_request)
    assert ApprovalRequest.objects.get(pk=withdrawal_request.pk).state == ApprovalRequest.State.APPROVED
    assert _balance(account) == Decimal("1000.00")


def test_every_approvable_operation_says_in_words_what_it_will_do():
    from apps.organization.approvals import _REGISTRY

    without = sorted(name for name, operation in _REGISTRY.items() if operation.describe is None)
    assert without == [], f"give these operations a describe= (approvable): {without}"
