"""The admin's counter: cash deposits and withdrawals from an account's page, and opening an account. Each view
calls the same service as the API; these tests prove what a teller sees and that a refusal writes nothing."""

import re
from decimal import Decimal

import pytest
from django.test import Client

from apps.accounts.models import Account, AccountNumberSequence, TellerTransaction
from apps.accounts.tests.factories import open_funded_account, term_product
from apps.customers.tests.factories import CustomerFactory
from apps.ledger.models import JournalEntry, LedgerAccount
from apps.organization.models import ApprovalRequest

pytestmark = pytest.mark.django_db


def _login(user):
    client = Client()
    client.force_login(user)
    return client


def _balance(account):
    return LedgerAccount.objects.get(pk=account.ledger_account_id).balance


def _cash_form(client, account):
    """GET the cash page, return the hidden key it generated."""
    page = client.get(f"/admin/accounts/account/{account.pk}/cash/")
    assert page.status_code == 200
    return re.search(r'name="idempotency_key" value="([0-9a-f-]+)"', page.content.decode()).group(1)


def _nothing_moved(account, balance, entries, receipts):
    return (_balance(account) == balance and JournalEntry.objects.count() == entries
            and TellerTransaction.objects.count() == receipts)


def test_a_teller_deposits_cash_from_the_account_page_and_lands_on_the_receipt(customer, savings, teller_a):
    # given
    account = open_funded_account(customer, savings, "100.00", teller=teller_a)
    client = _login(teller_a)
    page = client.get(f"/admin/accounts/account/{account.pk}/cash/")
    assert "100.00 EUR" in page.content.decode()  # the available balance
    key = _cash_form(client, account)
    # when
    response = client.post(f"/admin/accounts/account/{account.pk}/cash/",
                           {"kind": "deposit", "amount": "250.00", "idempotency_key": key})
    # then
    receipt = TellerTransaction.objects.get(account=account, amount=Decimal("250.00"))
    assert response.status_code == 302
    assert response["Location"] == f"/admin/accounts/tellertransaction/{receipt.pk}/receipt/"
    assert receipt.teller == teller_a and receipt.kind == TellerTransaction.Kind.DEPOSIT
    assert _balance(account) == Decimal("350.00")


def test_the_account_page_links_to_the_cash_page(customer, savings, teller_a):
    account = open_funded_account(customer, savings, "10.00", teller=teller_a)
    page = _login(teller_a).get(f"/admin/accounts/account/{account.pk}/change/")
    assert "Deposit or withdraw cash" in page.content.decode()


def test_submitting_the_same_cash_form_twice_moves_the_money_once(customer, savings, teller_a):
    # given
    account = open_funded_account(customer, savings, "100.00", teller=teller_a)
    client = _login(teller_a)
    key = _cash_form(client, account)
    form = {"kind": "withdrawal", "amount": "40.00", "idempotency_key": key}
    # when
    first = client.post(f"/admin/accounts/account/{account.pk}/cash/", form)
    second = client.post(f"/admin/accounts/account/{account.pk}/cash/", form)
    # then
    assert first["Location"] == second["Location"]
    assert TellerTransaction.objects.filter(account=account, kind="withdrawal").count() == 1
    assert _balance(account) == Decimal("60.00")


def test_cash_above_the_tellers_limit_waits_for_a_branch_manager_and_moves_nothing(
        customer, savings, teller_a, settings):
    # given
    settings.TELLER_CASH_LIMITS = {"Teller": {"EUR": "1000.00"}, "Branch manager": {"EUR": "50000.00"}}
    account = open_funded_account(customer, savings, "100.00", teller=teller_a)
    client = _login(teller_a)
    entries, receipts = JournalEntry.objects.count(), TellerTransaction.objects.count()
    # when
    response = client.post(f"/admin/accounts/account/{account.pk}/cash/",
                           {"kind": "deposit", "amount": "5000.00", "idempotency_key": _cash_form(client, account)},
                           follow=True)
    # then
    approval = ApprovalRequest.objects.get(operation="accounts.cash_operation")
    assert approval.maker == teller_a and approval.parameters["amount"] == "5000.00"
    assert response.redirect_chain[-1][0] == f"/admin/accounts/account/{account.pk}/change/"
    assert "waiting for a branch manager&#x27;s approval" in response.content.decode()
    assert _nothing_moved(account, Decimal("100.00"), entries, receipts)


@pytest.mark.parametrize(("amount", "error"), [
    ("1.234", "at most 2 decimal places"),
    ("-5", "must be positive"),
    ("0", "must be positive"),
    ("abc", "is not a number"),
    ("", "This field is required"),
])
def test_a_bad_amount_is_a_form_error_and_writes_nothing(customer, savings, teller_a, amount, error):
    # given
    account = open_funded_account(customer, savings, "100.00", teller=teller_a)
    client = _login(teller_a)
    entries, receipts = JournalEntry.objects.count(), TellerTransaction.objects.count()
    # when
    response = client.post(f"/admin/accounts/account/{account.pk}/cash/",
                           {"kind": "deposit", "amount": amount, "idempotency_key": _cash_form(client, account)})
    # then
    assert response.status_code == 200
    assert error in response.content.decode()
    assert _nothing_moved(account, Decimal("100.00"), entries, receipts)


def test_a_refused_withdrawal_is_shown_on_the_form_and_moves_nothing(customer, savings, teller_a):
    # given
    account = open_funded_account(customer, savings, "100.00", teller=teller_a)
    client = _login(teller_a)
    entries, receipts = JournalEntry.objects.count(), TellerTransaction.objects.count()
    # when
    response = client.post(f"/admin/accounts/account/{account.pk}/cash/",
                           {"kind": "withdrawal", "amount": "100.01", "idempotency_key": _cash_form(client, account)})
    # then
    assert response.status_code == 200 and "errornote" in response.content.decode()
    assert _nothing_moved(account, Decimal("100.00"), entries, receipts)


def test_a_teller_of_another_branch_cannot_reach_the_cash_page(customer, savings, teller_a, teller_b):
    # given
    account = open_funded_account(customer, savings, "100.00", teller=teller_a)
    client = _login(teller_b)
    entries, receipts = JournalEntry.objects.count(), TellerTransaction.objects.count()
    # when
    page = client.get(f"/admin/accounts/account/{account.pk}/cash/")
    post = client.post(f"/admin/accounts/account/{account.pk}/cash/",
                       {"kind": "withdrawal", "amount": "50.00",
                        "idempotency_key": "6f1d2c1e-7a0b-4a53-9b7e-3f1c2d4e5a6b"})
    # then
    assert page.status_code == 404 and post.status_code == 404
    assert _nothing_moved(account, Decimal("100.00"), entries, receipts)


def test_staff_without_the_cash_permission_are_refused(customer, savings, teller_a, compliance_officer):
    # given: compliance sees and changes every account but does not handle cash
    account = open_funded_account(customer, savings, "100.00", teller=teller_a)
    client = _login(compliance_officer)
    receipts = TellerTransaction.objects.count()
    # when
    post = client.post(f"/admin/accounts/account/{account.pk}/cash/",
                       {"kind": "withdrawal", "amount": "50.00",
                        "idempotency_key": "6f1d2c1e-7a0b-4a53-9b7e-3f1c2d4e5a6b"})
    # then
    assert post.status_code == 403
    assert _nothing_moved(account, Decimal("100.00"), JournalEntry.objects.count(), receipts)
    page = client.get(f"/admin/accounts/account/{account.pk}/change/")
    assert "Deposit or withdraw cash" not in page.content.decode()


def test_a_teller_opens_an_account_for_a_verified_customer(customer, savings, teller_a, branch_a):
    # given
    client = _login(teller_a)
    form = client.get("/admin/accounts/account/open/")
    assert form.status_code == 200
    assert "Open an account" in client.get("/admin/accounts/account/").content.decode()
    # when
    response = client.post("/admin/accounts/account/open/",
                           {"customer": customer.pk, "product": savings.pk, "branch": branch_a.pk})
    # then
    account = Account.objects.get(customer=customer)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/accounts/account/{account.pk}/change/"
    assert account.branch == branch_a and account.opened_by == teller_a and account.product == savings
    assert account.holder_links.get().role == "primary"


def test_opening_for_an_unverified_customer_shows_the_kyc_error_and_writes_nothing(savings, teller_a, branch_a):
    # given
    unverified = CustomerFactory(branch=branch_a)
    accounts, ledgers = Account.objects.count(), LedgerAccount.objects.count()
    sequence = list(AccountNumberSequence.objects.values_list("last_value", flat=True))
    # when
    response = _login(teller_a).post("/admin/accounts/account/open/",
                                     {"customer": unverified.pk, "product": savings.pk, "branch": branch_a.pk})
    # then
    assert response.status_code == 200
    assert "cannot do this until KYC is verified" in response.content.decode()
    assert Account.objects.count() == accounts and LedgerAccount.objects.count() == ledgers
    assert list(AccountNumberSequence.objects.values_list("last_value", flat=True)) == sequence


def test_a_term_deposit_without_a_maturity_instruction_is_refused_on_the_form(customer, teller_a, branch_a):
    # given
    deposit = term_product()
    # when
    response = _login(teller_a).post("/admin/accounts/account/open/",
                                     {"customer": customer.pk, "product": deposit.pk, "branch": branch_a.pk})
    # then
    assert response.status_code == 200 and "needs a maturity instruction" in response.content.decode()
    assert not Account.objects.exists()


def test_opening_offers_only_the_tellers_customers_and_branch(customer, savings, teller_b, branch_a):
    # given: the customer is in branch A, the teller in branch B
    client = _login(teller_b)
    # when
    found = client.get("/admin/autocomplete/", {"app_label": "accounts", "model_name": "account",
                                                "field_name": "customer", "term": customer.legal_name})
    response = client.post("/admin/accounts/account/open/",
                           {"customer": customer.pk, "product": savings.pk, "branch": branch_a.pk})
    # then
    assert found.json()["results"] == []
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "customer" in errors and "branch" in errors
    assert not Account.objects.exists()


def test_staff_who_may_not_open_accounts_are_refused(savings, compliance_officer):
    client = _login(compliance_officer)
    assert client.get("/admin/accounts/account/open/").status_code == 403
    assert "Open an account" not in client.get("/admin/accounts/account/").content.decode()
