"""Interest accruals add up to the exact decimal on PostgreSQL and on SQLite alike, and the interest posted from
them is the same on both.

SQLite stores a 12-decimal accrual as a binary float and added them as floats; Django read the sum back cut to
15 significant digits. A year's accruals of about 85.77 a day, 31,300.xxxxxxxxxxxx (17 digits), lost their last
decimals, and so did the residue an account carries from one interest posting to the next.
"""

import datetime
from decimal import Decimal

import pytest

from apps.accounts.daycount import daily_fraction
from apps.accounts.models import AccrualKind, InterestAccrual
from apps.accounts.selectors import unposted_interest
from apps.accounts.services.accrual import accrual_amount, accrue_interest, accrue_interest_for_date
from apps.accounts.services.term import break_term_deposit
from apps.accounts.tests.factories import deposit, open_funded_account, savings_product, term_product
from apps.ledger.models import JournalEntry
from apps.ledger.sums import exact_sum, exact_totals
from apps.money import round_to_currency

pytestmark = pytest.mark.django_db
ONE_DAY = datetime.timedelta(days=1)
PRINCIPAL, RATE = Decimal("987654.32"), Decimal("3.17")  # about 85.77 a day, 12 decimals, ACT/365


def _days(first: datetime.date, count: int):
    return [first + ONE_DAY * offset for offset in range(count)]


def test_a_year_of_daily_accruals_sums_to_the_exact_decimal(customer, teller_a, chart):
    # given an account left to accrue every day for a year, never capitalised (the product posts at a month end
    # that this test never closes)
    account = open_funded_account(customer, savings_product(rate=str(RATE)), str(PRINCIPAL), teller=teller_a)
    first = account.opened_on
    # when a year is accrued, day by day
    for day in _days(first, 365):
        accrue_interest_for_date(day=day)
    # then the unposted interest is the exact sum of the year's daily amounts, as Decimal computes them
    expected = sum((accrual_amount(PRINCIPAL, RATE, daily_fraction("act_365f", day)) for day in _days(first, 365)),
                   Decimal(0))
    assert len(expected.as_tuple().digits) > 15  # more than a float (or SQLite's read of one) keeps
    stored = list(InterestAccrual.objects.filter(account=account).values_list("amount", flat=True))
    assert len(stored) == 365 and sum(stored, Decimal(0)) == expected  # each day stored exactly (< 1,000)
    assert unposted_interest(account) == expected
    assert exact_sum(InterestAccrual.objects.filter(account=account), field="amount") == expected


def test_exact_totals_adds_tiny_and_large_accruals_without_losing_a_digit(customer, teller_a, chart):
    # given 400 accruals of an account, alternating 0.000000000001 and 999.999999999999 (15 digits, the most
    # SQLite stores exactly), and an overdraft accrual of another kind
    account = open_funded_account(customer, savings_product(rate="1"), "100.00", teller=teller_a)
    amounts = [Decimal("0.000000000001") if index % 2 else Decimal("999.999999999999") for index in range(400)]
    InterestAccrual.objects.bulk_create(
        InterestAccrual(account=account, product=account.product, business_date=day, kind=AccrualKind.CREDIT,
                        balance=Decimal("100"), annual_rate=Decimal("1"), day_fraction=Decimal("0.002739726027"),
                        amount=amount)
        for day, amount in zip(_days(account.opened_on, 400), amounts, strict=True))
    # when they are summed by kind
    totals = exact_totals(InterestAccrual.objects.filter(account=account), field="amount", by=("kind",))
    # then the sum is exact: 200 x 999.999999999999 + 200 x 0.000000000001 = 200,000 to the last decimal
    assert list(totals) == [(AccrualKind.CREDIT,)]
    assert totals[(AccrualKind.CREDIT,)].amount == Decimal("200000.000000000000")
    assert totals[(AccrualKind.CREDIT,)].rows == 400
    assert unposted_interest(account) == Decimal("200000")


def _pure_decimal_year(opened_on: datetime.date, through: datetime.date):
    """The same schedule by hand, in Decimal: accrue each day on the balance the previous days left, and at each
    month end credit what accrued, rounded to the cent with the carried residue, from the next day's balance."""
    balance, unposted, residue, credited = PRINCIPAL, Decimal(0), Decimal(0), []
    day = opened_on
    while day <= through:
        unposted += accrual_amount(balance, RATE, daily_fraction("act_365f", day))
        if (day + ONE_DAY).day == 1:  # a month end: capitalised
            carried = unposted + residue
            amount = max(round_to_currency(carried, "EUR"), Decimal(0))
            residue, unposted = carried - amount, Decimal(0)
            balance += amount
            credited.append((day, amount))
        day += ONE_DAY
    return balance, residue, unposted, credited


def test_interest_posted_over_a_year_is_what_decimal_arithmetic_gives(customer, teller_a, chart):
    # given an account opened on the bank's date, capitalising monthly
    account = open_funded_account(customer, savings_product(rate=str(RATE)), str(PRINCIPAL), teller=teller_a)
    opened_on = account.opened_on
    last_month_end = datetime.date(opened_on.year + 1, opened_on.month + 1, 1) - ONE_DAY \
        if opened_on.month < 12 else datetime.date(opened_on.year + 1, 12, 31)
    # when end of day's accrual step catches up a year and a few days: every missed date accrued and closed (the
    # month ends' interest credited, dated the month end)
    accrue_interest(last_month_end + ONE_DAY)
    # then every posting, the balance and the residue carried are what Decimal arithmetic gives for that history
    balance, residue, unposted, credited = _pure_decimal_year(opened_on, last_month_end)
    assert len(credited) == 13
    posted = [(entry.business_date, entry.postings.get(account=account.ledger_account).amount)
              for entry in JournalEntry.objects.filter(postings__account=account.ledger_account, source="interest")
              .order_by("business_date")]
    assert posted == credited
    account.refresh_from_db()
    account.ledger_account.refresh_from_db()
    assert account.ledger_account.balance == balance
    assert account.interest_residue == residue
    # the accrual of the day after the last month end (not closed yet) is still unposted
    assert unposted == 0
    assert unposted_interest(account) == accrual_amount(balance, RATE,
                                                        daily_fraction("act_365f", last_month_end + ONE_DAY))


def test_an_early_withdrawal_after_a_year_pays_what_decimal_arithmetic_gives(customer, teller_a, chart):
    # given a two-year term deposit (interest at maturity) that has accrued a year, and its linked account
    linked = open_funded_account(customer, savings_product(rate="0"), "10.00", teller=teller_a)
    term = term_product(rate=str(RATE), term_months=24, penalty="33.3")
    account = open_funded_account(customer, term, None, teller=teller_a, maturity_instruction="pay_out",
                                  linked_account=linked)
    deposit(account, str(PRINCIPAL), teller=teller_a)
    account.refresh_from_db()
    for day in _days(account.opened_on, 365):
        accrue_interest_for_date(day=day)
    # when it is broken
    break_term_deposit(deposit=account, actor=teller_a)
    # then the interest paid is the Decimal sum of the year's accruals less the penalty, rounded to the cent
    earned = sum((accrual_amount(PRINCIPAL, RATE, daily_fraction("act_365f", day))
                  for day in _days(account.opened_on, 365)), Decimal(0))
    paid = round_to_currency(earned - earned * Decimal("33.3") / 100, "EUR")
    linked.ledger_account.refresh_from_db()
    assert linked.ledger_account.balance == Decimal("10.00") + PRINCIPAL + paid
    forfeited = round_to_currency(earned * Decimal("33.3") / 100, "EUR")
    entry = JournalEntry.objects.get(idempotency_key=f"term-break-interest:{account.pk}")
    assert entry.postings.get(account__code="5000").amount == forfeited
