"""The maturity date is a day of interest like any other: a rolled-over deposit earns the first day of its new
term, and a paid-out deposit's money earns (or stops costing overdraft interest) in the linked account from the
payout day — each date accrues on its end-of-day balance. End of day runs every date, as the bank would."""

import datetime
from decimal import Decimal

import pytest

from apps.accounts.models import Account, InterestAccrual
from apps.accounts.services.teller import cash_withdrawal
from apps.accounts.tests.factories import current_product, deposit, open_funded_account, product
from apps.eod.models import EodRun
from apps.eod.services import run_eod
from apps.ledger.models import Posting
from apps.money import Money
from apps.organization.models import Bank

pytestmark = pytest.mark.django_db
D = datetime.date


def _start_on(day):
    Bank.objects.update(current_business_date=day)


def _end_of_day_through(last):
    while Bank.objects.get().current_business_date <= last:
        run = run_eod()
        assert run.status == EodRun.Status.COMPLETED, [(s.name, s.error) for s in run.steps.all() if s.error]


def _rolling_deposit(customer, teller, *, day_count, funded_on, amount="25000.00"):
    _start_on(funded_on)
    term = product(code=f"TD1{day_count[:2].upper()}", kind="term", rate="3", day_count=day_count, term_months=1)
    account = open_funded_account(customer, term, None, teller=teller, maturity_instruction="roll_over")
    deposit(account, amount, teller=teller)
    account.refresh_from_db()
    return account


def _interest_credits(account):
    return list(Posting.objects.filter(account=account.ledger_account, entry__source="interest", side="C")
                .order_by("entry__business_date").values_list("entry__business_date", "amount"))


def test_a_rolled_over_deposit_earns_the_first_day_of_each_new_term(customer, teller_a, chart):
    # given 25,000.00 at 3% ACT/365F for one month, rolled over, funded on 20 December 2027
    account = _rolling_deposit(customer, teller_a, day_count="act_365f", funded_on=D(2027, 12, 20))
    assert account.maturity_date == D(2028, 1, 20)
    # when end of day runs every date to 20 February 2028
    _end_of_day_through(D(2028, 2, 20))
    # then the maturity dates, the first days of terms 2 and 3, accrued; term 2 earned its 31 days
    accrued = set(InterestAccrual.objects.filter(account=account).values_list("business_date", flat=True))
    assert {D(2028, 1, 20), D(2028, 2, 20)} <= accrued
    assert len(accrued) == 31 + 31 + 1
    assert _interest_credits(account) == [(D(2028, 1, 20), Decimal("63.70")), (D(2028, 2, 20), Decimal("63.86"))]
    first_of_term_2 = InterestAccrual.objects.get(account=account, business_date=D(2028, 1, 20))
    assert first_of_term_2.balance == Decimal("25063.70")  # principal and the interest of term 1
    account.refresh_from_db()
    assert account.maturity_date == D(2028, 3, 20)


def test_on_30_360_the_term_starting_on_29_february_gets_its_full_30_days(customer, teller_a, chart):
    # given one month at 3% 30/360 from 29 January 2028: term 2 runs from 29 February (a leap day) to 29 March
    account = _rolling_deposit(customer, teller_a, day_count="30_360_us", funded_on=D(2028, 1, 29))
    assert account.maturity_date == D(2028, 2, 29)
    # when
    _end_of_day_through(D(2028, 3, 29))
    # then 29 February accrues its 2 days (to 1 March) and term 2 its 30/360 of a year on 25,062.50
    leap_day = InterestAccrual.objects.get(account=account, business_date=D(2028, 2, 29))
    assert (leap_day.balance, leap_day.day_fraction * 360) == (Decimal("25062.50"), Decimal("2.00000000016"))
    term_2 = InterestAccrual.objects.filter(account=account, business_date__gte=D(2028, 2, 29),
                                            business_date__lt=D(2028, 3, 29))
    assert round(sum(row.day_fraction for row in term_2) * 360) == 30
    assert _interest_credits(account) == [(D(2028, 2, 29), Decimal("62.50")), (D(2028, 3, 29), Decimal("62.66"))]


def test_the_payout_day_accrues_on_the_linked_accounts_end_of_day_balance(customer, teller_a, chart):
    # given a current account at its overdraft limit (-999.15 of 1,000.00), and a term deposit paying out into it
    _start_on(D(2027, 11, 22))
    current = open_funded_account(customer, current_product(overdraft_limit="1000.00", overdraft_rate="12",
                                                            rate="0.5"), "1.00", teller=teller_a)
    cash_withdrawal(account=current, amount=Money("1000.15", "EUR"), teller=teller_a, idempotency_key="to-limit")
    term = product(code="TD1P", kind="term", rate="3.65", term_months=1)
    deposit_account = open_funded_account(customer, term, None, teller=teller_a, maturity_instruction="pay_out",
                                          linked_account=current)
    deposit(deposit_account, "10000.00", teller=teller_a)  # 1.00 a day at 3.65% ACT/365F
    deposit_account.refresh_from_db()
    payout_day = deposit_account.maturity_date
    assert payout_day == D(2027, 12, 22)
    # when end of day runs every date through the payout day
    _end_of_day_through(payout_day)
    # then the linked account ends the payout day at +9,030.85, and that is what it accrues on: credit interest,
    # not overdraft interest on -999.15
    deposit_account.refresh_from_db()
    assert deposit_account.status == Account.Status.CLOSED
    day = InterestAccrual.objects.get(account=current, business_date=payout_day)
    assert (day.kind, day.balance, day.annual_rate) == ("credit", Decimal("9030.85"), Decimal("0.5"))
    before = InterestAccrual.objects.get(account=current, business_date=payout_day - datetime.timedelta(days=1))
    assert (before.kind, before.balance) == ("overdraft", Decimal("-999.15"))
