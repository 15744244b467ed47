"""The loans' end of day: the accrual (set-based; idempotent per date; catching up missed dates), instalments
marked due and overdue, and the automatic debits, retried the next day when the funds are short."""

import datetime
from decimal import Decimal

import pytest

from apps.accounts.services.teller import cash_withdrawal
from apps.accounts.tests.factories import deposit as cash_deposit
from apps.ledger.models import JournalEntry, LedgerAccount
from apps.loans.models import LoanAccrual, LoanEodRun
from apps.loans.services.accrual import accrue_loan_interest
from apps.loans.services.collection import collect_due_instalments, mark_instalments
from apps.loans.tests.loan_factories import assert_ledger_clean, booked_loan, set_business_date
from apps.money import Money

pytestmark = pytest.mark.django_db
DISBURSED = datetime.date(2026, 11, 23)
FIRST_DUE = datetime.date(2026, 12, 23)
ONE_DAY = datetime.timedelta(days=1)


@pytest.fixture
def loan(product, borrower, deposit, officer):
    return booked_loan(customer=borrower, product=product, account=deposit, staff=officer, amount="1200.00")


def _accrual_entries():
    return JournalEntry.objects.filter(source="loans", idempotency_key__startswith="loan-accrual:")


def _snapshot(loan):
    return (list(LoanAccrual.objects.values_list("instalment_id", "business_date", "amount").order_by("pk")),
            _accrual_entries().count(), list(loan.instalments.values_list("interest_accrued", flat=True)))


def test_a_day_accrues_its_share_of_the_periods_interest_in_one_entry(loan):
    first = loan.instalments.get(number=1)

    counts = accrue_loan_interest(DISBURSED + ONE_DAY)

    assert counts == {"days": 2, "accruals": 1, "entries": 1}  # the disbursement date accrues nothing
    first.refresh_from_db()
    assert first.interest_accrued == (first.interest_due / 30).quantize(Decimal("0.01"))
    entry = _accrual_entries().get()
    assert {(p.account.code, p.side, p.amount) for p in entry.postings.select_related("account")} == {
        ("1210", "D", first.interest_accrued), ("4110", "C", first.interest_accrued)}
    assert_ledger_clean()


def test_running_a_date_twice_changes_nothing(loan):
    accrue_loan_interest(DISBURSED + 3 * ONE_DAY)
    before = _snapshot(loan)

    assert accrue_loan_interest(DISBURSED + 3 * ONE_DAY) == {"days": 0, "accruals": 0, "entries": 0}
    assert _snapshot(loan) == before


def test_a_gap_is_caught_up_day_by_day_and_a_period_sums_to_its_interest(loan):
    accrue_loan_interest(DISBURSED)
    # when: the end of day did not run for a month
    accrue_loan_interest(FIRST_DUE + ONE_DAY)

    first, second = loan.instalments.order_by("number")[:2]
    assert first.interest_accrued == first.interest_due  # exactly: no residue left over
    assert sum(a.amount for a in LoanAccrual.objects.filter(instalment=first)) == first.interest_due
    assert LoanAccrual.objects.filter(instalment=first).count() == 30
    assert second.interest_accrued > 0
    assert _accrual_entries().count() == 31  # one per date, each dated its own date
    assert set(_accrual_entries().values_list("business_date", flat=True)) == {
        DISBURSED + n * ONE_DAY for n in range(1, 32)}
    assert LoanEodRun.objects.filter(step="loans.accrue_interest").count() == 32
    assert_ledger_clean()


def test_instalments_read_due_on_their_date_and_overdue_after(loan):
    assert mark_instalments(FIRST_DUE) == {"due": 1, "overdue": 0}
    assert mark_instalments(FIRST_DUE) == {"due": 0, "overdue": 0}
    assert mark_instalments(FIRST_DUE + ONE_DAY) == {"due": 0, "overdue": 1}
    assert loan.instalments.get(number=1).status == "overdue"
    assert loan.instalments.get(number=2).status == "pending"


def _balance(account):
    return LedgerAccount.objects.get(pk=account.ledger_account_id).balance


def test_the_due_instalment_is_debited_on_its_date_once(loan, deposit):
    set_business_date(FIRST_DUE)
    first = loan.instalments.get(number=1)
    total = first.principal_due + first.interest_due

    assert collect_due_instalments(FIRST_DUE) == {"collected": 1, "short": 0, "refused": 0}
    assert collect_due_instalments(FIRST_DUE) == {"collected": 0, "short": 0, "refused": 0}

    first.refresh_from_db()
    assert first.status == "paid" and _balance(deposit) == Decimal("1700.00") - total
    assert loan.transactions.get(kind="repayment").channel == "auto_debit"
    assert_ledger_clean()


def test_short_funds_are_debited_as_far_as_they_go_and_the_rest_the_next_day(loan, deposit, teller_a):
    cash_withdrawal(account=deposit, amount=Money("1690.00", "EUR"), teller=teller_a, idempotency_key="out",
                    approved_by=teller_a)
    set_business_date(FIRST_DUE)
    first = loan.instalments.get(number=1)
    total = first.principal_due + first.interest_due

    assert collect_due_instalments(FIRST_DUE) == {"collected": 1, "short": 1, "refused": 0}
    first.refresh_from_db()
    assert first.status == "due" and total - first.total_owed == Decimal("10.00") and _balance(deposit) == 0

    set_business_date(FIRST_DUE + ONE_DAY)
    assert collect_due_instalments(FIRST_DUE + ONE_DAY) == {"collected": 0, "short": 1, "refused": 0}
    cash_deposit(deposit, "100.00", teller=teller_a)
    set_business_date(FIRST_DUE + 2 * ONE_DAY)
    assert collect_due_instalments(FIRST_DUE + 2 * ONE_DAY) == {"collected": 1, "short": 0, "refused": 0}
    first.refresh_from_db()
    assert first.status == "paid"
    assert _balance(deposit) == Decimal("110.00") - total
    assert_ledger_clean()


def test_the_end_of_day_of_a_due_date_accrues_marks_and_collects_in_its_steps(loan, deposit):
    from apps.eod.models import EodRun
    from apps.eod.services import run_eod

    set_business_date(FIRST_DUE)
    first = loan.instalments.get(number=1)

    run = run_eod()

    assert run.status == EodRun.Status.COMPLETED
    counts = dict(run.steps.filter(name__startswith="loans.").values_list("name", "counts"))
    assert counts["loans.accrue_interest"]["days"] == 31 and counts["loans.collect_due_instalments"]["collected"] == 1
    first.refresh_from_db()
    assert first.status == "paid" and first.interest_accrued == first.interest_due
    debit = loan.transactions.get(kind="repayment")
    assert debit.booked_on == debit.value_date == FIRST_DUE and debit.journal_entry.business_date == FIRST_DUE
    assert run_eod(business_date=FIRST_DUE).already_completed
    assert_ledger_clean()
