"""End of day catching up several business dates at once gives what closing each date on its own would have:
what a missed date's end of day posts (interest capitalised at a period end, a monthly fee, a matured term
deposit paid out or rolled over) is on the balance the following missed dates accrue on."""

import datetime
from decimal import Decimal
from uuid import uuid4

import pytest
from django.db import transaction

from apps.accounts.models import Account, AccrualJournal, InterestAccrual
from apps.accounts.services.accrual import accrue_interest
from apps.accounts.services.holds import place_hold
from apps.accounts.services.teller import cash_withdrawal
from apps.accounts.tests.factories import (
    current_product,
    open_funded_account,
    product,
    savings_product,
    term_product,
)
from apps.customers.tests.factories import verified_customer
from apps.eod.models import EodRun
from apps.eod.services import run_eod
from apps.ledger.models import LedgerAccount, Posting
from apps.money import Money
from apps.organization.models import Bank

pytestmark = pytest.mark.django_db
D = datetime.date
FIRST_DAY = D(2027, 1, 27)      # accounts open; end of day runs on the 27th and the 28th
CATCH_UP_TO = D(2027, 2, 3)     # then nothing runs until one end of day closes 29 January to 3 February


def _run(business_date=None):
    run = run_eod(business_date=business_date)
    assert run.status == EodRun.Status.COMPLETED, [(s.name, s.error) for s in run.steps.all() if s.error]


def _every_day():
    day = FIRST_DAY
    while day <= CATCH_UP_TO:
        _run()
        day += datetime.timedelta(days=1)


def _daily_then_catch_up():
    _run()                          # 27 January
    _run()                          # 28 January
    _run(business_date=CATCH_UP_TO)  # 29 January to 3 February at once


def _outcome():
    """Everything the accrual, posting and fee rules wrote, without ids (they differ between two runs)."""
    accruals = sorted(InterestAccrual.objects.values_list(
        "account__number", "business_date", "kind", "balance", "annual_rate", "amount", "posted_on"))
    journals = sorted(AccrualJournal.objects.values_list(
        "business_date", "product__code", "kind", "accrued", "residue_in", "posted", "residue_out"))
    accounts = sorted(Account.objects.values_list(
        "number", "status", "maturity_date", "interest_residue", "overdraft_interest_residue",
        "interest_posted_through", "fee_charged_through", "ledger_account__balance"))
    postings = sorted(Posting.objects.values_list(
        "entry__business_date", "entry__source", "entry__idempotency_key", "account__code", "side", "amount"))
    house = dict(LedgerAccount.objects.filter(code__in=["2100", "5000", "1210", "4100", "4000"])
                 .values_list("code", "balance"))
    return {"accruals": accruals, "journals": journals, "accounts": accounts, "postings": postings,
            "house": house}


def _outcome_of(scenario):
    """Run ``scenario`` in a savepoint, read what it wrote, and roll it back for the next scenario."""
    with transaction.atomic():
        scenario()
        outcome = _outcome()
        transaction.set_rollback(True)
    return outcome


@pytest.fixture
def january_27(bank):
    Bank.objects.filter(pk=bank.pk).update(current_business_date=FIRST_DAY)


def test_catch_up_across_a_month_end_accrues_the_following_days_on_the_capitalised_interest(
        january_27, customer, teller_a, chart):
    # given 10,000.00 at 3.65% a year, ACT/365, posted monthly: exactly 1.00 a day
    account = open_funded_account(customer, savings_product(rate="3.65"), "10000.00", teller=teller_a)
    # when end of day runs on the 27th and 28th, then once for 29 January to 3 February
    _daily_then_catch_up()
    # then January's 5.00 (27th to 31st) is credited on 31 January and February accrues on 10,005.00
    rows = {row.business_date: row for row in InterestAccrual.objects.filter(account=account)}
    january = [rows[D(2027, 1, day)] for day in range(27, 32)]
    february = [rows[D(2027, 2, day)] for day in range(1, 4)]
    assert [(r.balance, r.amount, r.posted_on) for r in january] == [
        (Decimal("10000"), Decimal("1"), D(2027, 1, 31))] * 5
    assert [(r.balance, r.amount, r.posted_on) for r in february] == [(Decimal("10005"), Decimal("1.0005"), None)] * 3
    credit = Posting.objects.get(account=account.ledger_account, entry__source="interest")
    assert (credit.amount, credit.entry.business_date) == (Decimal("5.00"), D(2027, 1, 31))


def test_catch_up_across_a_month_end_writes_exactly_what_daily_end_of_day_writes(
        january_27, teller_a, chart, branch_a):
    # given accounts of every kind, amounts chosen so that rounding leaves residues, and maturities, fees,
    # interest posting and a hold's expiry inside the missed dates
    saver, shop, borrower = (verified_customer(branch=branch_a) for _ in range(3))
    tiered = product(code="TIER", rate="1.37", day_count="act_360", tiers={"5000": "2.11"})
    quarterly = product(code="SAVQ", rate="1.5", day_count="30_360_us", frequency="quarterly")
    current = current_product(rate="0.35", overdraft_limit="1000", overdraft_rate="13.7",
                              monthly_fee=Decimal("2.50"))
    savings = savings_product(rate="2.93", day_count="act_act_isda")
    linked = open_funded_account(saver, savings, "4998.77", teller=teller_a)
    open_funded_account(saver, tiered, "5003.19", teller=teller_a)
    open_funded_account(shop, quarterly, "7321.45", teller=teller_a)
    till = open_funded_account(shop, current, "1250.33", teller=teller_a)
    # a hold leaving less than the fee (overdraft included) until it expires on 1 February: no fee for January
    place_hold(idempotency_key=uuid4().hex, account=till, amount=Money("2249.00", "EUR"), reason="card", actor=teller_a,
               expires_on=D(2027, 2, 1))
    overdrawn = open_funded_account(borrower, current, "10.00", teller=teller_a)
    cash_withdrawal(account=overdrawn, amount=Money("733.41", "EUR"), teller=teller_a, idempotency_key="od")
    term = term_product(rate="3.41", term_months=3)
    paid_out = open_funded_account(saver, term, "2500.00", teller=teller_a, maturity_instruction="pay_out",
                                   linked_account=linked)
    rolled = open_funded_account(saver, term, "3333.33", teller=teller_a, maturity_instruction="roll_over",
                                 linked_account=linked)
    Account.objects.filter(pk__in=[paid_out.pk, rolled.pk]).update(maturity_date=D(2027, 2, 1))
    # when the same bank closes each date on its own, or 29 January to 3 February in one end of day
    every_day = _outcome_of(_every_day)
    caught_up = _outcome_of(_daily_then_catch_up)
    # then accruals, journals and residues, postings and balances are the same to the last digit
    dated = {(day, source) for day, source, key, *_ in every_day["postings"] if not key.startswith("accrual:")}
    assert {(D(2027, 1, 31), "interest"), (D(2027, 1, 31), "fees"), (D(2027, 2, 1), "accounts")} <= dated
    assert not [p for p in every_day["postings"] if p[1] == "fees" and p[3] == till.number]  # waived
    for part in ("accruals", "journals", "accounts", "postings", "house"):
        assert caught_up[part] == every_day[part], part


def test_catch_up_accrual_run_again_for_the_same_date_changes_nothing(january_27, customer, teller_a, chart):
    # given a catch-up accrual from 29 January to 3 February, which closed 29 January to 2 February on the way
    open_funded_account(customer, savings_product(rate="3.65"), "10000.00", teller=teller_a)
    _run()
    _run()
    assert accrue_interest(CATCH_UP_TO) == {"days": 6, "accruals": 6, "posting.credited": 1}
    before = _outcome()
    # when it runs again for the same date, then nothing is accrued, posted or carried again
    assert accrue_interest(CATCH_UP_TO) == {"days": 0, "accruals": 0}
    assert _outcome() == before


def test_accruing_only_the_closing_date_leaves_its_posting_to_the_posting_step(january_27, customer, teller_a,
                                                                              chart):
    # given end of day ran every day up to 30 January
    account = open_funded_account(customer, savings_product(rate="3.65"), "10000.00", teller=teller_a)
    for _ in range(4):
        _run()
    # when the accrual step runs for the month end alone (the everyday case: one set-based accrual, nothing else)
    assert accrue_interest(D(2027, 1, 31)) == {"days": 1, "accruals": 1}
    # then January's interest is accrued but not yet credited: that is step 400's work for 31 January
    assert not Posting.objects.filter(account=account.ledger_account, entry__source="interest").exists()
    assert InterestAccrual.objects.filter(account=account, posted_on__isnull=True).count() == 5
