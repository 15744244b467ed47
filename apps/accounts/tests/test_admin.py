import re
from decimal import Decimal
from uuid import uuid4

import pytest
from django.test import Client

from apps.accounts.models import TellerTransaction
from apps.accounts.services.holds import place_hold
from apps.accounts.services.teller import cash_withdrawal
from apps.accounts.tests.factories import open_funded_account
from apps.customers.tests.factories import verified_customer
from apps.money import Money

pytestmark = pytest.mark.django_db


def _login(user):
    client = Client()
    client.force_login(user)
    return client


def test_account_list_is_branch_scoped_and_its_cost_does_not_grow_with_rows(
        customer, savings, teller_a, teller_b, branch_a, django_assert_max_num_queries):
    open_funded_account(customer, savings, "10.00", teller=teller_a)
    with django_assert_max_num_queries(40) as few:
        assert _login(teller_a).get("/admin/accounts/account/").status_code == 200
    for _ in range(6):
        open_funded_account(verified_customer(branch=branch_a), savings, "10.00", teller=teller_a)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = _login(teller_a).get("/admin/accounts/account/")
    assert response.content.count(b"PT") >= 7
    assert "0 accounts" in _login(teller_b).get("/admin/accounts/account/").content.decode()


def test_searching_a_number_with_wrong_check_digits_says_so(customer, savings, teller_a):
    account = open_funded_account(customer, savings, "10.00", teller=teller_a)
    wrong = account.number[:2] + ("00" if account.number[2:4] != "00" else "01") + account.number[4:]
    response = _login(teller_a).get("/admin/accounts/account/", {"q": wrong}, follow=True)
    assert "not a valid account number" in response.content.decode()
    found = _login(teller_a).get("/admin/accounts/account/", {"q": account.number})
    assert account.number in found.content.decode()


def test_receipt_and_statement_pages(customer, savings, teller_a):
    account = open_funded_account(customer, savings, "42.00", teller=teller_a)
    receipt = TellerTransaction.objects.get(account=account)
    page = _login(teller_a).get(f"/admin/accounts/tellertransaction/{receipt.pk}/receipt/")
    assert page.status_code == 200 and receipt.receipt_number in page.content.decode()
    form = _login(teller_a).get(f"/admin/accounts/account/{account.pk}/statement/")
    assert form.status_code == 200 and "Download the statement" in form.content.decode()
    statement = _login(teller_a).get(f"/admin/accounts/account/{account.pk}/statement/?format=csv")
    assert b"".join(statement.streaming_content).decode().count("42.00") >= 2
    pdf = _login(teller_a).get(f"/admin/accounts/account/{account.pk}/statement/?format=pdf")
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_a_receipt_names_the_customer_and_the_balance_after_the_operation(customer, savings, teller_a):
    account = open_funded_account(customer, savings, "42.00", teller=teller_a)
    cash_withdrawal(account=account, amount=Money("2.50", "EUR"), teller=teller_a, idempotency_key="w-1")
    receipts = TellerTransaction.objects.filter(account=account).order_by("pk")
    assert [r.balance_after for r in receipts] == [Decimal("42.00"), Decimal("39.50")]
    page = " ".join(_login(teller_a).get(f"/admin/accounts/tellertransaction/{receipts[1].pk}/receipt/")
                    .content.decode().split())
    assert f"Customer {customer.legal_name}" in page
    assert "Amount 2.50 EUR" in page and "Balance after 39.50 EUR" in page


def test_eod_admin_shows_the_current_business_date(bank, ops_admin):
    from apps.eod.services import run_eod

    run_eod()
    page = _login(ops_admin).get("/admin/eod/eodrun/")
    assert page.status_code == 200 and "current business date 2026-11-24" in page.content.decode()


def test_account_list_shows_balances_and_holds_in_the_currencys_minor_unit(customer, savings, teller_a):
    # given 100.00 with holds of 0.10 and 0.20 (SQLite's floats: 0.1 + 0.2 is 0.30000000000000004)
    account = open_funded_account(customer, savings, "100.00", teller=teller_a)
    for amount in ("0.10", "0.20"):
        place_hold(account=account, amount=Money(amount, "EUR"), reason="card", actor=teller_a,
                   idempotency_key=uuid4().hex)
    # when a teller lists the accounts
    page = _login(teller_a).get("/admin/accounts/account/").content.decode()
    # then the ledger balance, the held total and the available balance are exact, in the currency's format,
    # right-aligned
    cells = dict(re.findall(r'<td class="field-(ledger_balance|held|available_balance)[^"]*">'
                            r'<span class="money" style="[^"]*text-align:right[^"]*">([^<]*)</span></td>', page))
    assert cells == {"ledger_balance": "100.00 EUR", "held": "0.30 EUR", "available_balance": "99.70 EUR"}
