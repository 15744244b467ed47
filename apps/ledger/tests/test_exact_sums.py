"""Sums of postings are exact decimals in the currency's minor unit, on PostgreSQL and on SQLite alike.

SQLite adds decimal columns as binary floats: 180340.64 + 763972.51 - 944195.78 came back as 117.369999999995
there, in ``ledger_check``'s trial balance and in the admin's balance of a derived account.
"""

import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from apps.ledger.models import AccountType
from apps.ledger.selectors import account_balance, account_checks
from apps.ledger.tests.factories import fund, ledger_account, transfer

pytestmark = pytest.mark.django_db


@pytest.fixture
def cash_netting_to_117_37(bank):
    """A derived-balance cash account whose large debits and credit net to 117.37 (a float sum misses it)."""
    cash = ledger_account(type=AccountType.ASSET, derived=True, name="Cash")
    customer = ledger_account(name="Customer")
    fund(customer, "180340.64", source_account=cash)
    fund(customer, "763972.51", source_account=cash)
    transfer(customer, cash, "944195.78", key="withdrawal")
    return cash, customer


def test_a_derived_balance_is_the_exact_sum_of_its_postings(cash_netting_to_117_37):
    cash, _ = cash_netting_to_117_37
    assert account_balance(cash).amount == Decimal("117.37")
    check = next(check for check in account_checks() if check.account == cash)
    assert (check.debits, check.credits, check.recomputed) == (Decimal("944313.15"), Decimal("944195.78"),
                                                               Decimal("117.37"))
    assert str(check.recomputed) == "117.37"  # the currency's two decimals, not the storage's four


def test_ledger_check_prints_the_trial_balance_in_exact_minor_units(cash_netting_to_117_37):
    out = io.StringIO()
    call_command("ledger_check", stdout=out)
    lines = [line.split() for line in out.getvalue().splitlines()]
    assert ["EUR", "117.37", "117.37"] in lines
    assert "Ledger check passed" in out.getvalue()


def test_admin_shows_a_derived_balance_in_exact_minor_units(cash_netting_to_117_37, ops_admin):
    cash, customer = cash_netting_to_117_37
    client = Client()
    client.force_login(ops_admin)
    response = client.get(reverse("admin:ledger_ledgeraccount_changelist"), {"currency": "EUR"})
    assert response.status_code == 200
    page = response.content.decode()
    balances = dict(re.findall(r'<a href="[^"]*/(\d+)/change/[^"]*">T\d+</a>.*?<td class="field-current_balance">'
                               r'<span class="money"[^>]*>([^<]*)</span></td>', page, flags=re.S))
    assert balances[str(cash.pk)] == "117.37 EUR"
    assert balances[str(customer.pk)] == "117.37 EUR"  # stored, moved by the same amounts


def test_a_stored_balance_spent_to_exactly_zero_is_zero(bank):
    # given 0.30 on a deposit (SQLite's floats: 0.30 - 0.10 - 0.20 is -2.8e-17, below the balance's floor)
    payer, payee = ledger_account(name="Payer"), ledger_account(name="Payee")
    fund(payer, "0.30")
    # when all of it is spent in two transfers
    transfer(payer, payee, "0.10", key="first")
    transfer(payer, payee, "0.20", key="second")
    # then the stored balance is exactly zero
    payer.refresh_from_db()
    assert payer.balance == Decimal("0")
    assert account_balance(payer).amount == Decimal("0.00")
