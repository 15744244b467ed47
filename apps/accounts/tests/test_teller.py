"""Teller cash: one journal entry against the branch vault, idempotent by key, limits with maker-checker."""

from decimal import Decimal
from uuid import uuid4

import pytest

from apps.accounts.errors import AccountStateRefused, InsufficientAvailableBalance, TellerLimitExceeded
from apps.accounts.models import Account, TellerTransaction
from apps.accounts.services.holds import place_hold
from apps.accounts.services.teller import cash_deposit, cash_withdrawal, needs_approval, submit_cash_operation
from apps.accounts.tests.factories import open_funded_account, term_product
from apps.domain_errors import PermissionRefused
from apps.ledger.models import JournalEntry, LedgerAccount
from apps.money import Money
from apps.organization.models import ApprovalRequest
from apps.organization.services import approve_request

pytestmark = pytest.mark.django_db
EUR = "EUR"


def _vault():
    return LedgerAccount.objects.get(code="1000-LIS01").balance


def test_cash_deposit_posts_one_entry_against_the_vault_and_gives_a_receipt(customer, savings, teller_a):
    account = open_funded_account(customer, savings, None, teller=teller_a)
    vault_before = _vault()
    receipt = cash_deposit(account=account, amount=Money("250.00", EUR), teller=teller_a, idempotency_key="k1")
    account.ledger_account.refresh_from_db()
    assert account.ledger_account.balance == Decimal("250.00") and _vault() == vault_before + Decimal("250.00")
    assert receipt.entry.source == "teller" and receipt.entry.postings.count() == 2
    assert receipt.receipt_number.startswith("R20261123-")


def test_replaying_the_key_returns_the_first_receipt_and_moves_nothing(customer, savings, teller_a):
    account = open_funded_account(customer, savings, "100.00", teller=teller_a)
    first = cash_withdrawal(account=account, amount=Money("40.00", EUR), teller=teller_a, idempotency_key="w1")
    entries = JournalEntry.objects.count()
    again = cash_withdrawal(account=account, amount=Money("40.00", EUR), teller=teller_a, idempotency_key="w1")
    assert again.pk == first.pk and again.replayed
    assert JournalEntry.objects.count() == entries and TellerTransaction.objects.count() == 2
    account.ledger_account.refresh_from_db()
    assert account.ledger_account.balance == Decimal("60.00")


def test_withdrawal_is_refused_beyond_the_available_balance_and_nothing_moves(customer, savings, teller_a):
    account = open_funded_account(customer, savings, "100.00", teller=teller_a)
    place_hold(account=account, amount=Money("70.00", EUR), reason="card authorisation", actor=teller_a,
               idempotency_key=uuid4().hex)
    entries, vault = JournalEntry.objects.count(), _vault()
    with pytest.raises(InsufficientAvailableBalance):
        cash_withdrawal(account=account, amount=Money("30.01", EUR), teller=teller_a, idempotency_key="w2")
    account.ledger_account.refresh_from_db()
    assert account.ledger_account.balance == Decimal("100.00") and _vault() == vault
    assert JournalEntry.objects.count() == entries and not TellerTransaction.objects.filter(idempotency_key="w2")


def test_above_the_tellers_limit_a_branch_manager_approves(customer, savings, teller_a, manager_a, settings):
    settings.TELLER_CASH_LIMITS = {"Teller": {EUR: "1000.00"}, "Branch manager": {EUR: "50000.00"}}
    account = open_funded_account(customer, savings, None, teller=teller_a)
    # the direct service refuses; the counter's submission asks for approval instead
    with pytest.raises(TellerLimitExceeded):
        cash_deposit(account=account, amount=Money("5000.00", EUR), teller=teller_a, idempotency_key="big")
    request = submit_cash_operation(kind="deposit", account=account, amount=Money("5000.00", EUR), teller=teller_a,
                                    idempotency_key="big")
    assert isinstance(request, ApprovalRequest) and request.state == "pending"
    assert submit_cash_operation(kind="deposit", account=account, amount=Money("5000.00", EUR), teller=teller_a,
                                 idempotency_key="big").pk == request.pk
    account.ledger_account.refresh_from_db()
    assert account.ledger_account.balance == 0
    # when the branch manager approves, the teller's receipt is posted, with the approver recorded
    approve_request(request=request, checker=manager_a)
    receipt = TellerTransaction.objects.get(idempotency_key="big")
    assert (receipt.teller, receipt.approved_by) == (teller_a, manager_a)
    account.ledger_account.refresh_from_db()
    assert account.ledger_account.balance == Decimal("5000.00")


def test_a_teller_cannot_approve_another_tellers_cash_above_limit(customer, savings, teller_a, branch_a, settings):
    from apps.organization import roles
    from apps.organization.tests.factories import StaffFactory

    settings.TELLER_CASH_LIMITS = {"Teller": {EUR: "1000.00"}}
    account = open_funded_account(customer, savings, None, teller=teller_a)
    request = submit_cash_operation(kind="deposit", account=account, amount=Money("5000.00", EUR), teller=teller_a,
                                    idempotency_key="big2")
    other_teller = StaffFactory(role=roles.TELLER, home_branch=branch_a)
    with pytest.raises(PermissionRefused):
        approve_request(request=request, checker=other_teller)
    assert not TellerTransaction.objects.filter(idempotency_key="big2").exists()


def test_in_euros_a_teller_does_up_to_10000_and_a_branch_manager_up_to_50000_alone(teller_a, manager_a):
    # the defaults (TELLER_CASH_LIMITS_TELLER, ..._BRANCH_MANAGER): the former single amounts, in euros
    assert not needs_approval(teller_a, Money("10000.00", EUR))
    assert needs_approval(teller_a, Money("10000.01", EUR))
    assert not needs_approval(manager_a, Money("50000.00", EUR))
    assert needs_approval(manager_a, Money("50000.01", EUR))


def test_the_cash_limit_is_the_one_of_the_amounts_currency(teller_a, settings):
    # given: 1,000 euros, 150,000 yen
    settings.TELLER_CASH_LIMITS = {"Teller": {EUR: "1000.00", "JPY": "150000"}}
    # then: 5,000 yen is done alone, whatever 5,000 euros would need
    assert not needs_approval(teller_a, Money("5000", "JPY"))
    assert not needs_approval(teller_a, Money("150000", "JPY"))
    assert needs_approval(teller_a, Money("150001", "JPY"))
    assert needs_approval(teller_a, Money("5000.00", EUR))


def test_a_currency_without_a_cash_limit_needs_a_branch_manager_for_any_amount(teller_a, manager_a, settings):
    settings.TELLER_CASH_LIMITS = {"Teller": {EUR: "1000.00"}, "Branch manager": {EUR: "50000.00"}}
    assert needs_approval(teller_a, Money("0.01", "USD"))
    assert needs_approval(manager_a, Money("0.01", "USD"))


def test_cash_in_a_currency_without_a_limit_waits_for_a_branch_manager_and_moves_nothing_until_approved(
        customer, savings, teller_a, manager_a, settings):
    # given: the bank set cash limits for another currency than the account's
    settings.TELLER_CASH_LIMITS = {"Teller": {"USD": "10000.00"}, "Branch manager": {"USD": "50000.00"}}
    account = open_funded_account(customer, savings, "100.00", teller=teller_a)
    entries, vault, receipts = JournalEntry.objects.count(), _vault(), TellerTransaction.objects.count()
    # when: a one-euro deposit at the counter
    with pytest.raises(TellerLimitExceeded):
        cash_deposit(account=account, amount=Money("1.00", EUR), teller=teller_a, idempotency_key="eur-1")
    request = submit_cash_operation(kind="deposit", account=account, amount=Money("1.00", EUR), teller=teller_a,
                                    idempotency_key="eur-1")
    # then: a request for a branch manager, and nothing moved
    assert isinstance(request, ApprovalRequest) and request.state == "pending"
    assert "no cash limit in EUR" in request.summary
    account.ledger_account.refresh_from_db()
    assert account.ledger_account.balance == Decimal("100.00") and _vault() == vault
    assert JournalEntry.objects.count() == entries and TellerTransaction.objects.count() == receipts
    # when the branch manager approves, the cash is posted
    approve_request(request=request, checker=manager_a)
    account.ledger_account.refresh_from_db()
    assert account.ledger_account.balance == Decimal("101.00")
    assert TellerTransaction.objects.get(idempotency_key="eur-1").approved_by == manager_a


def test_a_deposit_reaching_the_minimum_activates_a_pending_account(customer, chart, teller_a):
    from apps.accounts.tests.factories import savings_product

    product = savings_product(code="SAVMIN", minimum_opening_balance=Decimal("500"))
    account = open_funded_account(customer, product, None, teller=teller_a)
    assert account.status == Account.Status.PENDING
    with pytest.raises(AccountStateRefused):
        cash_withdrawal(account=account, amount=Money("1.00", EUR), teller=teller_a, idempotency_key="p1")
    cash_deposit(account=account, amount=Money("200.00", EUR), teller=teller_a, idempotency_key="p2")
    assert Account.objects.get(pk=account.pk).status == Account.Status.PENDING
    cash_deposit(account=account, amount=Money("300.00", EUR), teller=teller_a, idempotency_key="p3")
    assert Account.objects.get(pk=account.pk).status == Account.Status.ACTIVE


def test_a_term_deposit_takes_no_cash_withdrawal(customer, chart, teller_a):
    account = open_funded_account(customer, term_product(), None, teller=teller_a, maturity_instruction="roll_over")
    cash_deposit(account=account, amount=Money("5000.00", EUR), teller=teller_a, idempotency_key="t1")
    account.refresh_from_db()
    assert account.status == Account.Status.ACTIVE and str(account.maturity_date) == "2027-11-23"
    entries, receipts = JournalEntry.objects.count(), TellerTransaction.objects.count()
    with pytest.raises(AccountStateRefused):
        cash_withdrawal(account=account, amount=Money("1.00", EUR), teller=teller_a, idempotency_key="t2")
    with pytest.raises(AccountStateRefused):
        cash_deposit(account=account, amount=Money("1.00", EUR), teller=teller_a, idempotency_key="t3")
    assert LedgerAccount.objects.get(pk=account.ledger_account_id).balance == Decimal("5000.00")
    assert (JournalEntry.objects.count(), TellerTransaction.objects.count()) == (entries, receipts)
