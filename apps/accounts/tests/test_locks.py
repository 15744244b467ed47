"""The accounts' lock helpers: one statement each, in id order, the payer found only within what may be debited.
``lock_payer_and_payee`` is the ORM's one statement on every database."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.house_accounts import house_account
from apps.accounts.locks import lock_accounts, lock_payer_and_payee
from apps.accounts.models import Account
from apps.accounts.tests.factories import open_funded_account
from apps.customers.tests.factories import verified_customer
from apps.ledger.chart import FEE_INCOME

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_accounts(customer, savings, teller_a, branch_a):
    payee_owner = verified_customer(branch=branch_a)
    return (open_funded_account(customer, savings, "10.00", teller=teller_a),
            open_funded_account(payee_owner, savings, "10.00", teller=teller_a))


def _statements(lock, **arguments):
    with CaptureQueriesContext(connection) as statements:
        result = lock(**arguments)
    return result, [s["sql"] for s in statements.captured_queries if not s["sql"].startswith(("SAVEPOINT", "RELEASE"))]


def _check_payer_and_payee(lock, payer, payee):
    # within the scope: both, with product and customer, and the fee income account's id, in one statement
    (locked, fee_income_id), sql = _statements(lock, payer_number=payer.number, payee_number=payee.number,
                                                payer_scope=Account.objects.filter(pk=payer.pk))
    assert len(sql) == 1, sql
    assert set(locked) == {payer.number, payee.number}
    assert fee_income_id == house_account(FEE_INCOME).pk
    assert locked[payer.number].customer.legal_name == payer.customer.legal_name
    assert locked[payer.number].product.currency == "EUR"
    # outside the scope, or with an empty scope: the payer is missing, exactly like an account that does not exist
    for scope in (Account.objects.filter(pk=payee.pk), Account.objects.none()):
        (locked, _), _ = _statements(lock, payer_number=payer.number, payee_number=payee.number, payer_scope=scope)
        assert set(locked) == {payee.number}
    # no scope: any account
    (locked, _), _ = _statements(lock, payer_number=payer.number, payee_number=payee.number)
    assert set(locked) == {payer.number, payee.number}


def test_lock_payer_and_payee_finds_the_payer_only_within_the_scope(two_accounts):
    _check_payer_and_payee(lock_payer_and_payee, *two_accounts)


def test_lock_accounts_returns_them_in_id_order_with_their_ledger_accounts(two_accounts):
    first, second = sorted(two_accounts, key=lambda account: account.pk)
    locked = lock_accounts([second.pk, first.pk, second.pk])
    assert [account.pk for account in locked] == [first.pk, second.pk]
    assert [account.ledger_account.pk for account in locked] == [first.ledger_account_id, second.ledger_account_id]
