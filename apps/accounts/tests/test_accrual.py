"""Daily accrual: rate, tier and day count; idempotency and catch-up; rounding residue; overdraft interest;
posting at period end."""

import datetime
from decimal import Decimal

import pytest

from apps.accounts.models import AccrualJournal, AccrualKind, AccrualRun, InterestAccrual
from apps.accounts.services.accrual import accrue_interest, accrue_interest_for_date, insert_accruals_python_fallback
from apps.accounts.services.interest import post_due_interest
from apps.accounts.tests.factories import current_product, deposit, open_funded_account, product, savings_product
from apps.customers.tests.factories import verified_customer
from apps.ledger.models import JournalEntry, LedgerAccount
from apps.ledger.selectors import account_balance

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 11, 23)  # the test bank's business date


def _balance(code):
    return account_balance(LedgerAccount.objects.get(code=code)).amount


def test_accrual_is_balance_times_rate_times_day_fraction(customer, teller_a, chart):
    # given 1,000.00 at 3.65% a year, ACT/365: exactly 0.10 a day
    account = open_funded_account(customer, savings_product(rate="3.65"), "1000.00", teller=teller_a)
    # when the day is accrued
    accrue_interest_for_date(day=TODAY)
    # then one full-precision row, and the ledger carries it as expense against payable
    accrual = InterestAccrual.objects.get(account=account)
    assert (accrual.kind, accrual.balance, accrual.amount) == (AccrualKind.CREDIT, Decimal("1000"), Decimal("0.1"))
    assert _balance("5000") == Decimal("0.10") and _balance("2100") == Decimal("0.10")


def test_each_day_count_convention_gives_its_own_daily_fraction(customer, teller_a, chart):
    accounts = {
        convention: open_funded_account(customer, product(code=convention[:8], rate="10", day_count=convention),
                                        "36000.00", teller=teller_a)
        for convention in ("act_365f", "act_360", "30_360_us", "act_act_isda")
    }
    accrue_interest_for_date(day=D(2026, 11, 30))  # the 30th: 30/360 accrues to 1 December, one day
    amounts = {c: InterestAccrual.objects.get(account=a).amount for c, a in accounts.items()}
    assert amounts["act_360"] == Decimal("10.000000000000")           # 36000 * 10% / 360
    assert amounts["30_360_us"] == Decimal("10.000000000000")
    assert amounts["act_365f"] == Decimal("9.863013698630")           # 3600 / 365
    assert amounts["act_act_isda"] == Decimal("9.863013698630")       # 2026 is not a leap year


def test_tiered_rate_applies_to_the_whole_balance_of_the_tier_it_falls_in(teller_a, chart, branch_a):
    tiered = product(code="TIER", rate="1", day_count="act_360", tiers={"5000": "2", "10000": "3"})
    balances = ["4999.99", "5000.00", "20000.00"]
    accounts = [open_funded_account(verified_customer(branch=branch_a), tiered, b, teller=teller_a) for b in balances]
    accrue_interest_for_date(day=TODAY)
    rates = [InterestAccrual.objects.get(account=a).annual_rate for a in accounts]
    assert rates == [Decimal("1"), Decimal("2"), Decimal("3")]
    assert InterestAccrual.objects.get(account=accounts[2]).amount == Decimal("1.666666666667")  # 20000 * 3% / 360


def test_accruing_the_same_date_twice_changes_nothing(customer, teller_a, chart):
    open_funded_account(customer, savings_product(rate="3.65"), "1000.00", teller=teller_a)
    accrue_interest_for_date(day=TODAY)
    entries = JournalEntry.objects.count()
    assert accrue_interest_for_date(day=TODAY) == 0
    assert accrue_interest(TODAY) == {"days": 0, "accruals": 0}
    assert InterestAccrual.objects.count() == 1 and AccrualRun.objects.count() == 1
    assert JournalEntry.objects.count() == entries and _balance("2100") == Decimal("0.10")


def test_catch_up_accrues_each_missed_day_once_with_its_own_balance(customer, teller_a, chart):
    # given an account funded with 1,000.00 on the 20th, accrued up to the 19th, and 1,000.00 more today (23rd)
    account = open_funded_account(customer, savings_product(rate="3.65"), None, teller=teller_a)
    type(account).objects.filter(pk=account.pk).update(opened_on=D(2026, 11, 20), status="active")
    fund_on(account, "1000.00", D(2026, 11, 20))
    accrue_interest_for_date(day=D(2026, 11, 19))
    deposit(account, "1000.00", teller=teller_a)
    # when end of day catches up to the 23rd
    result = accrue_interest(TODAY)
    # then the 20th, 21st and 22nd accrue on 1,000.00 and the 23rd on 2,000.00, once each
    assert result == {"days": 4, "accruals": 4}
    rows = dict(InterestAccrual.objects.filter(account=account).values_list("business_date", "amount"))
    assert rows == {D(2026, 11, 20): Decimal("0.1"), D(2026, 11, 21): Decimal("0.1"),
                    D(2026, 11, 22): Decimal("0.1"), D(2026, 11, 23): Decimal("0.2")}
    assert accrue_interest(TODAY) == {"days": 0, "accruals": 0}


def fund_on(account, amount, day):
    from apps.ledger.services import credit, debit, post_journal_entry
    from apps.money import Money

    money = Money(amount, "EUR")
    return post_journal_entry(postings=[debit(LedgerAccount.objects.get(code="1000-LIS01"), money),
                                        credit(account.ledger_account, money)],
                              description="Back-dated funding", source="test", idempotency_key=f"fund-on-{day}",
                              business_date=day)


def test_rounding_residue_is_carried_to_the_next_day_not_lost(teller_a, chart, branch_a):
    # given three accounts accruing 0.001 a day each (36.50 at 1%, ACT/365): 0.003 a day for the product
    low = savings_product(rate="1")
    for _ in range(3):
        open_funded_account(verified_customer(branch=branch_a), low, "36.50", teller=teller_a)
    # when ten days accrue
    for offset in range(10):
        accrue_interest_for_date(day=TODAY + datetime.timedelta(days=offset))
    # then the ledger carries exactly the rounded total (0.03), though no single day reached a cent alone
    journals = list(AccrualJournal.objects.order_by("business_date"))
    assert sum(j.accrued for j in journals) == Decimal("0.03")
    assert sum(j.posted for j in journals) == Decimal("0.03") == _balance("2100")
    assert journals[0].posted == 0 and journals[0].residue_out == Decimal("0.003")
    assert journals[-1].residue_out == Decimal("0")


def test_overdrawn_current_account_accrues_overdraft_interest_as_income(customer, teller_a, chart):
    from apps.accounts.services.teller import cash_withdrawal
    from apps.money import Money

    account = open_funded_account(customer, current_product(overdraft_limit="500", overdraft_rate="36.5"), "100.00",
                                  teller=teller_a)
    cash_withdrawal(account=account, amount=Money("465.00", "EUR"), teller=teller_a, idempotency_key="od-1")
    accrue_interest_for_date(day=TODAY)
    accrual = InterestAccrual.objects.get(account=account)
    assert (accrual.kind, accrual.balance, accrual.amount) == (AccrualKind.OVERDRAFT, Decimal("-365"), Decimal("0.365"))
    assert _balance("1210") == Decimal("0.36") and _balance("4100") == Decimal("0.36")  # banker's rounding


def test_interest_is_credited_at_month_end_and_the_accrual_cleared(customer, teller_a, chart):
    account = open_funded_account(customer, savings_product(rate="3.65"), "1000.00", teller=teller_a)
    # given eight days accrued (23rd to 30th): 0.80
    for offset in range(8):
        accrue_interest_for_date(day=TODAY + datetime.timedelta(days=offset))
    # when posting runs before the month end, nothing is due; at the month end, all of it is
    assert post_due_interest(D(2026, 11, 29))["credited"] == 0
    assert post_due_interest(D(2026, 11, 30))["credited"] == 1
    account.ledger_account.refresh_from_db()
    assert account.ledger_account.balance == Decimal("1000.80")
    assert _balance("2100") == Decimal("0") and _balance("5000") == Decimal("0.80")
    assert not InterestAccrual.objects.filter(posted_on__isnull=True).exists()
    # and posting again is a no-op
    assert post_due_interest(D(2026, 11, 30))["credited"] == 0


def test_account_residue_is_carried_to_the_next_posting(customer, teller_a, chart):
    # given 36.50 at 1% (0.001 a day) from the 23rd: 0.008 accrued by the 30th
    account = open_funded_account(customer, savings_product(rate="1"), "36.50", teller=teller_a)
    for offset in range(8):
        accrue_interest_for_date(day=TODAY + datetime.timedelta(days=offset))
    # when November's interest is posted, 0.01 is credited and -0.002 is carried
    post_due_interest(D(2026, 11, 30))
    account.refresh_from_db()
    account.ledger_account.refresh_from_db()
    assert account.ledger_account.balance == Decimal("36.51")
    assert account.interest_residue == Decimal("-0.002")
    # then December's posting starts from that residue
    for offset in range(31):
        accrue_interest_for_date(day=D(2026, 12, 1) + datetime.timedelta(days=offset))
    december = sum(InterestAccrual.objects.filter(account=account, business_date__month=12)
                   .values_list("amount", flat=True))
    post_due_interest(D(2026, 12, 31))
    account.refresh_from_db()
    account.ledger_account.refresh_from_db()
    credited = account.ledger_account.balance - Decimal("36.51")
    assert credited == (december - Decimal("0.002")).quantize(Decimal("0.01"))
    assert account.interest_residue == december - Decimal("0.002") - credited


def test_python_fallback_computes_exactly_what_the_sql_does(teller_a, chart, branch_a):
    products = [product(code="A", rate="2.75", day_count="act_act_isda", tiers={"1000": "3.1"}),
                product(code="B", rate="1.3", day_count="30_360_us"),
                current_product(code="C", overdraft_rate="9.9")]
    for index, made in enumerate(products * 3):
        open_funded_account(verified_customer(branch=branch_a), made, f"{137 + index * 911}.37", teller=teller_a)
    day = D(2026, 11, 30)
    accrue_interest_for_date(day=day)
    by_sql = sorted(InterestAccrual.objects.filter(business_date=day).values_list(
        "account_id", "kind", "balance", "annual_rate", "day_fraction", "amount"))
    InterestAccrual.objects.filter(business_date=day).delete()
    insert_accruals_python_fallback(day)
    by_python = sorted(InterestAccrual.objects.filter(business_date=day).values_list(
        "account_id", "kind", "balance", "annual_rate", "day_fraction", "amount"))
    assert len(by_sql) == 6 and by_python == by_sql  # the current accounts are in credit at 0%
