"""A deposit account's overdraft is its product's and its status the account's: the ledger account that carries
it cannot be given an overdraft or unfrozen on its own (the ops.hq finding: a savings account's ledger account
was given a 50,000 overdraft in the admin by one person, and a withdrawal took the savings account negative)."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.accounts.errors import InsufficientAvailableBalance
from apps.accounts.models import Account, TellerTransaction
from apps.accounts.selectors import available_balance
from apps.accounts.services.lifecycle import freeze_account
from apps.accounts.services.teller import cash_withdrawal
from apps.accounts.tests.factories import current_product, open_funded_account
from apps.ledger.models import JournalEntry, LedgerAccount
from apps.money import Money
from apps.organization.models import ApprovalRequest
from apps.organization.tests.admin_approvals import admin_client
from tests.database_refusals import refused_by

pytestmark = pytest.mark.django_db


def _ledger_state(account):
    ledger = LedgerAccount.objects.get(pk=account.ledger_account_id)
    return (ledger.allow_overdraft, ledger.overdraft_limit, ledger.status, ledger.balance, ledger.history.count())


def test_one_person_cannot_give_a_savings_accounts_ledger_account_an_overdraft_in_the_admin(
        customer, savings, teller_a, ops_admin):
    # given a funded savings account (no overdraft on savings)
    account = open_funded_account(customer, savings, "100.00", teller=teller_a)
    before = _ledger_state(account)
    url = reverse("admin:ledger_ledgeraccount_change", args=[account.ledger_account_id])
    client = admin_client(ops_admin)
    # when ops ticks "allow overdraft" with a 50,000 limit and saves
    page = client.get(url)
    response = client.post(url, {"code": account.number, "name": account.ledger_account.name,
                                 "branch": account.branch_id, "allow_overdraft": "on",
                                 "overdraft_limit": "50000.00"})
    # then the page is read-only, the save is refused, and nothing changed
    assert page.status_code == 200 and not page.context["has_change_permission"]
    assert response.status_code == 403
    assert _ledger_state(account) == before
    assert not ApprovalRequest.objects.exists()
    assert available_balance(Account.objects.get(pk=account.pk)) == Money("100.00", "EUR")


def test_a_withdrawal_at_the_counter_cannot_take_a_savings_account_negative(customer, savings, teller_a, ops_admin):
    # given a savings account ops tried to give an overdraft (refused)
    account = open_funded_account(customer, savings, "100.00", teller=teller_a)
    url = reverse("admin:ledger_ledgeraccount_change", args=[account.ledger_account_id])
    admin_client(ops_admin).post(url, {"allow_overdraft": "on", "overdraft_limit": "50000.00"})
    entries, receipts = JournalEntry.objects.count(), TellerTransaction.objects.count()
    client = admin_client(teller_a)
    cash_page = f"/admin/accounts/account/{account.pk}/cash/"
    key = re.search(r'name="idempotency_key" value="([0-9a-f-]+)"', client.get(cash_page).content.decode()).group(1)
    # when the teller pays out more than the balance
    response = client.post(cash_page, {"kind": "withdrawal", "amount": "951.23", "idempotency_key": key})
    # then it is refused and nothing moved
    assert response.status_code == 200 and "100.00 EUR available" in response.content.decode()
    assert LedgerAccount.objects.get(pk=account.ledger_account_id).balance == Decimal("100.00")
    assert (JournalEntry.objects.count(), TellerTransaction.objects.count()) == (entries, receipts)
    with pytest.raises(InsufficientAvailableBalance):
        cash_withdrawal(account=account, amount=Money("100.01", "EUR"), teller=teller_a, idempotency_key="over",
                        approved_by=teller_a)
    assert LedgerAccount.objects.get(pk=account.ledger_account_id).balance == Decimal("100.00")
    assert (JournalEntry.objects.count(), TellerTransaction.objects.count()) == (entries, receipts)


def test_the_database_refuses_an_overdraft_on_a_savings_accounts_ledger_account(customer, savings, teller_a):
    # given
    account = open_funded_account(customer, savings, "100.00", teller=teller_a)
    # when code bypassing every service writes the overdraft, then the database refuses it
    with refused_by("accounts_overdraft_within_product"):
        LedgerAccount.objects.filter(pk=account.ledger_account_id).update(allow_overdraft=True,
                                                                          overdraft_limit=Decimal("50000"))
    assert _ledger_state(account)[:2] == (False, None)


def test_the_database_refuses_a_current_accounts_overdraft_above_its_products(customer, teller_a, chart):
    # given a current account with the product's 500 overdraft
    account = open_funded_account(customer, current_product(overdraft_limit="500.00"), "10.00", teller=teller_a)
    ledger = LedgerAccount.objects.filter(pk=account.ledger_account_id)
    # when / then: more than the product allows, or no limit at all, is refused
    for limit in (Decimal("500.01"), None):
        with refused_by("accounts_overdraft_within_product"):
            ledger.update(overdraft_limit=limit)
    assert ledger.get().overdraft_limit == Decimal("500.00")


def test_the_database_refuses_turning_a_product_with_overdrawn_accounts_into_savings(customer, teller_a, chart):
    # given
    product = current_product(overdraft_limit="500.00")
    open_funded_account(customer, product, "10.00", teller=teller_a)
    # when / then
    with refused_by("accounts_overdraft_within_product"):
        type(product).objects.filter(pk=product.pk).update(kind="savings", overdraft_limit=0, overdraft_rate=0)


def test_unfreezing_the_ledger_account_of_a_frozen_deposit_account_is_refused(
        customer, savings, teller_a, ops_admin, compliance_officer):
    # given an account compliance froze
    account = open_funded_account(customer, savings, "100.00", teller=teller_a)
    freeze_account(account=account, reason="Court order", actor=compliance_officer)
    history = LedgerAccount.objects.get(pk=account.ledger_account_id).history.count()
    # when ops runs "Unfreeze" on its ledger account in the ledger admin
    response = admin_client(ops_admin).post(reverse("admin:ledger_ledgeraccount_changelist"),
                                            {"action": "unfreeze", "_selected_action": [account.ledger_account_id]},
                                            follow=True)
    # then it is refused and the two stay frozen together
    assert "change that account" in response.content.decode()
    ledger = LedgerAccount.objects.get(pk=account.ledger_account_id)
    assert (ledger.status, Account.objects.get(pk=account.pk).status) == ("frozen", "frozen")
    assert ledger.history.count() == history


def test_freezing_the_ledger_account_of_an_active_deposit_account_is_refused(customer, savings, teller_a, ops_admin):
    account = open_funded_account(customer, savings, "100.00", teller=teller_a)
    admin_client(ops_admin).post(reverse("admin:ledger_ledgeraccount_changelist"),
                                 {"action": "freeze", "_selected_action": [account.ledger_account_id]})
    ledger = LedgerAccount.objects.get(pk=account.ledger_account_id)
    assert (ledger.status, Account.objects.get(pk=account.pk).status) == ("open", "active")
