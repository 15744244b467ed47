"""Who may open an account and handle cash is the services' rule: a task, a command or a new view that calls
``open_account`` or ``submit_cash_operation`` meets it exactly as the API and the admin do."""

import pytest

from apps.accounts.errors import NotAllowedToHandleCash, NotAllowedToOpenAccount
from apps.accounts.models import Account, TellerTransaction
from apps.accounts.services.opening import open_account
from apps.accounts.services.teller import submit_cash_operation
from apps.accounts.tests.factories import open_funded_account
from apps.ledger.models import JournalEntry, LedgerAccount
from apps.money import Money
from apps.organization.models import ApprovalRequest

pytestmark = pytest.mark.django_db
UNAUTHORISED_OPENERS = ["loan_officer", "compliance_officer", "auditor", "ops_admin", "teller_b"]
UNAUTHORISED_CASHIERS = ["loan_officer", "compliance_officer", "auditor", "ops_admin", "teller_b", "manager_b"]


@pytest.mark.parametrize("staff", UNAUTHORISED_OPENERS)
def test_open_account_refuses_a_role_or_branch_that_may_not_open_it(request, staff, customer, savings):
    actor = request.getfixturevalue(staff)
    ledgers = LedgerAccount.objects.count()
    with pytest.raises(NotAllowedToOpenAccount) as refused:
        open_account(customer=customer, product=savings, actor=actor)
    assert refused.value.status == 403
    assert not Account.objects.exists()
    assert LedgerAccount.objects.count() == ledgers


def test_open_account_refuses_a_branch_the_teller_does_not_work_in(customer, savings, teller_a, branch_b):
    with pytest.raises(NotAllowedToOpenAccount):
        open_account(customer=customer, product=savings, actor=teller_a, branch=branch_b)
    assert not Account.objects.exists()


def test_open_account_refuses_a_customer_login(customer, savings):
    from apps.organization.tests.factories import CustomerUserFactory

    with pytest.raises(NotAllowedToOpenAccount):
        open_account(customer=customer, product=savings, actor=CustomerUserFactory())
    assert not Account.objects.exists()


@pytest.mark.parametrize("amount", ["10.00", "50000.00"])  # within any limit, and one that would need approval
@pytest.mark.parametrize("staff", UNAUTHORISED_CASHIERS)
def test_submit_cash_operation_refuses_a_role_or_branch_that_may_not_handle_it(request, staff, amount, customer,
                                                                               savings, teller_a):
    account = open_funded_account(customer, savings, "100.00", teller=teller_a)
    actor = request.getfixturevalue(staff)
    balance = LedgerAccount.objects.get(pk=account.ledger_account_id).balance
    entries, receipts = JournalEntry.objects.count(), TellerTransaction.objects.count()
    for kind in ("deposit", "withdrawal"):
        with pytest.raises(NotAllowedToHandleCash) as refused:
            submit_cash_operation(kind=kind, account=account, amount=Money(amount, "EUR"), teller=actor,
                                  idempotency_key=f"task-{kind}-{staff}")
        assert refused.value.status == 403
    assert LedgerAccount.objects.get(pk=account.ledger_account_id).balance == balance
    assert (JournalEntry.objects.count(), TellerTransaction.objects.count()) == (entries, receipts)
    assert not ApprovalRequest.objects.exists()
