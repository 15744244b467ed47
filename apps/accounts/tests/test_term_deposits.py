"""Term deposits: interest to maturity, pay out or roll over as instructed, early withdrawal penalty."""

import datetime
from decimal import Decimal

import pytest

from apps.accounts.models import Account, InterestAccrual
from apps.accounts.services.accrual import accrue_interest_for_date
from apps.accounts.services.term import break_term_deposit, mature_term_deposits
from apps.accounts.tests.factories import deposit, open_funded_account, savings_product, term_product
from apps.ledger.models import LedgerAccount
from apps.ledger.selectors import account_balance

pytestmark = pytest.mark.django_db
D = datetime.date


def _accrue(start, end):
    day = start
    while day <= end:
        accrue_interest_for_date(day=day)
        day += datetime.timedelta(days=1)


@pytest.fixture
def linked(customer, chart, teller_a):
    return open_funded_account(customer, savings_product(rate="0"), "10.00", teller=teller_a)


def _term(customer, teller, instruction, linked=None, months=1):
    account = open_funded_account(customer, term_product(rate="3.65", term_months=months, penalty="50"), None,
                                  teller=teller, maturity_instruction=instruction, linked_account=linked)
    deposit(account, "10000.00", teller=teller)  # 1.00 a day at 3.65% ACT/365
    account.refresh_from_db()
    return account


def test_at_maturity_principal_and_interest_go_to_the_linked_account(customer, teller_a, linked):
    deposit_account = _term(customer, teller_a, "pay_out", linked)
    assert deposit_account.maturity_date == D(2026, 12, 23)
    _accrue(D(2026, 11, 23), D(2026, 12, 22))  # the term: 23 November to 22 December, 30 days
    assert InterestAccrual.objects.filter(account=deposit_account).count() == 30
    assert mature_term_deposits(D(2026, 12, 23)) == {"paid_out": 1, "rolled_over": 0, "blocked": 0}
    deposit_account.refresh_from_db()
    linked.ledger_account.refresh_from_db()
    assert deposit_account.status == Account.Status.CLOSED and deposit_account.ledger_account.balance == 0
    assert linked.ledger_account.balance == Decimal("10040.00")  # 10.00 + 10,000.00 + 30 days at 1.00
    assert account_balance(LedgerAccount.objects.get(code="2100")).amount == 0
    assert mature_term_deposits(D(2026, 12, 23)) == {"paid_out": 0, "rolled_over": 0, "blocked": 0}


def test_roll_over_capitalises_interest_and_starts_another_term(customer, chart, teller_a):
    deposit_account = _term(customer, teller_a, "roll_over")
    _accrue(D(2026, 11, 23), D(2026, 12, 22))
    assert mature_term_deposits(D(2026, 12, 23))["rolled_over"] == 1
    deposit_account.refresh_from_db()
    assert deposit_account.status == Account.Status.ACTIVE and deposit_account.maturity_date == D(2027, 1, 23)
    assert deposit_account.ledger_account.balance == Decimal("10030.00")


def test_early_withdrawal_forfeits_the_products_share_of_the_interest(customer, teller_a, linked):
    deposit_account = _term(customer, teller_a, "pay_out", linked, months=12)
    _accrue(D(2026, 11, 23), D(2026, 12, 2))  # ten days: 10.00 earned
    break_term_deposit(deposit=deposit_account, actor=teller_a)
    deposit_account.refresh_from_db()
    linked.ledger_account.refresh_from_db()
    assert deposit_account.status == Account.Status.CLOSED
    assert linked.ledger_account.balance == Decimal("10015.00")  # 10 + 10,000 + half of 10.00
    assert account_balance(LedgerAccount.objects.get(code="5000")).amount == Decimal("5.00")  # expense net of penalty
    assert account_balance(LedgerAccount.objects.get(code="2100")).amount == 0
