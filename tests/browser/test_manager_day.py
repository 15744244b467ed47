"""A branch manager's day, in the browser: deciding the approval requests waiting for them (today through the
approval list's bulk actions; a rejection gives its reason)."""

from decimal import Decimal

import pytest

from apps.accounts.models import TellerTransaction
from apps.accounts.services.teller import submit_cash_operation
from apps.accounts.tests.factories import open_funded_account, savings_product
from apps.customers.tests.factories import verified_customer
from apps.ledger.models import LedgerAccount
from apps.money import Money
from apps.organization import roles
from apps.organization.models import ApprovalRequest
from tests.browser.admin_steps import follow, messages, rows, run_action


@pytest.fixture
def waiting_cash(lisbon, staff):
    """Two cash deposits above the teller's limit (10,000.00 EUR), each waiting for a branch manager."""
    teller = staff(roles.TELLER)
    account = open_funded_account(verified_customer(branch=lisbon, legal_name="Tasca do Rio Lda"),
                                  savings_product(), "500.00", teller=teller)
    approvals = [submit_cash_operation(kind=TellerTransaction.Kind.DEPOSIT, account=account,
                                       amount=Money(amount, "EUR"), teller=teller, idempotency_key=key)
                 for amount, key in (("12000.00", "counter-1"), ("15000.00", "counter-2"))]
    assert all(isinstance(approval, ApprovalRequest) for approval in approvals)
    return account, approvals


def _balance(account):
    return LedgerAccount.objects.get(pk=account.ledger_account_id).balance


def test_a_branch_manager_approves_one_cash_deposit_and_rejects_another_with_a_reason(
        page, log_in, shot, staff, waiting_cash):
    # given
    account, (approve, reject) = waiting_cash
    manager = staff(roles.BRANCH_MANAGER)
    log_in(page, manager)
    shot(page, "01-home")

    # when: the manager opens the pending approval requests
    follow(page, page.get_by_role("link", name="Approval requests", exact=True).first)
    follow(page, "#changelist-filter >> text=Pending")
    assert len(rows(page)) == 2
    shot(page, "02-pending-requests")

    # and approves the first: it runs the deposit
    run_action(page, [approve.pk], "approve")
    assert messages(page) == [f"#{approve.pk} accounts.cash_operation: done."]
    approve.refresh_from_db()
    assert approve.state == ApprovalRequest.State.APPROVED and approve.checker == manager
    assert _balance(account) == Decimal("12500.00")
    assert TellerTransaction.objects.get(account=account, amount=Decimal("12000.00")).approved_by == manager
    shot(page, "03-approved")

    # and rejects the second, saying why: nothing moves
    run_action(page, [reject.pk], "reject", reason="Source of the cash not shown")
    assert messages(page) == [f"#{reject.pk} accounts.cash_operation: done."]
    reject.refresh_from_db()
    assert reject.state == ApprovalRequest.State.REJECTED and reject.decision_reason == "Source of the cash not shown"
    assert _balance(account) == Decimal("12500.00")
    assert not TellerTransaction.objects.filter(account=account, amount=Decimal("15000.00")).exists()
    shot(page, "04-rejected")

    # then: the request's page shows the decision
    page.goto(f"/admin/organization/approvalrequest/{reject.pk}/change/")
    assert "Source of the cash not shown" in page.locator("#content-main").inner_text()
    shot(page, "05-rejected-request")
