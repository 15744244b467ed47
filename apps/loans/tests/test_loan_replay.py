"""A backdated repayment replays the loan's transactions from its value date: the loan ends as if the money had
arrived on time, and the ledger is corrected by a reversal and a new entry, never by an edit."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import Case, F, When

from apps.domain_errors import DomainError
from apps.ledger.models import JournalEntry, LedgerAccount, Posting
from apps.ledger.sums import AmountSum
from apps.loans.models import LoanTransaction
from apps.loans.services.accrual import accrue_loan_interest
from apps.loans.services.charges import charge_loan
from apps.loans.services.collection import mark_instalments
from apps.loans.services.repayment import repay_loan
from apps.loans.tests.loan_factories import assert_ledger_clean, booked_loan, set_business_date
from apps.money import Money

pytestmark = pytest.mark.django_db
LATE_PAYMENT = datetime.date(2026, 12, 28)  # the first instalment fell due on the 23rd
FEE_DAY = datetime.date(2027, 1, 4)
SECOND_PAYMENT = datetime.date(2027, 1, 26)  # the second fell due on the 25th
BACKDATED_ARRIVAL = datetime.date(2027, 1, 27)


def _eur(amount) -> Money:
    return Money(amount, "EUR")


def _day(day):
    set_business_date(day)
    accrue_loan_interest(day)
    mark_instalments(day)


def _instalment_state(loan):
    return [(i.number, i.status, i.paid_on, i.principal_paid, i.interest_paid, i.fee_due, i.fee_paid,
             i.interest_accrued) for i in loan.instalments.order_by("number")]


def _loan_ledger(loan):
    """The net debit of each account over the loan's own entries (reversals included)."""
    rows = (Posting.objects.filter(entry__reference=f"LOAN-{loan.pk}", account__code__in=("1200", "1210", "4010"))
            .values("account__code").annotate(net=AmountSum(Case(When(side="D", then=F("amount")),
                                                                  default=-F("amount")))))
    return {row["account__code"]: row["net"] for row in rows}


def _deposit(loan):
    return LedgerAccount.objects.get(pk=loan.deposit_account.ledger_account_id).balance


@pytest.fixture
def two_loans(product, borrower, officer, teller_a):
    from apps.accounts.tests.factories import open_funded_account, savings_product

    savings = savings_product(rate="0")
    on_time, late = (booked_loan(customer=borrower, product=product, staff=officer, amount="1200.00",
                                 account=open_funded_account(borrower, savings, "500.00", teller=teller_a))
                     for _ in range(2))
    instalment = on_time.instalments.get(number=1)
    return on_time, late, instalment.principal_due + instalment.interest_due


def test_a_backdated_repayment_before_an_accrual_and_a_fee_ends_as_if_it_had_arrived_on_time(two_loans, officer):
    on_time, late, first_total = two_loans
    # given: the same two loans; the first instalment repaid on the 28th on one, the money of the other arriving
    # only after a fee was charged (onto its unpaid first instalment) and its second repayment was taken
    _day(LATE_PAYMENT)
    repay_loan(loan=on_time, amount=_eur(first_total), idempotency_key="first", actor=officer)
    _day(FEE_DAY)
    for loan in (on_time, late):
        charge_loan(loan=loan, kind="fee", amount=_eur("5.00"), idempotency_key="fee", actor=officer)
    assert late.instalments.get(number=1).fee_due == Decimal("5.00")
    _day(SECOND_PAYMENT)
    for loan in (on_time, late):
        repay_loan(loan=loan, amount=_eur(first_total), idempotency_key="second", actor=officer)
    second_on_late = LoanTransaction.objects.get(loan=late, idempotency_key="second")
    first_entry = second_on_late.journal_entry

    # when: the first repayment of the late loan arrives, valued the 28th
    set_business_date(BACKDATED_ARRIVAL)
    repay_loan(loan=late, amount=_eur(first_total), idempotency_key="first", actor=officer,
               value_date=LATE_PAYMENT)
    _day(BACKDATED_ARRIVAL)

    # then: both loans read the same, instalment by instalment, and in the ledger
    assert _instalment_state(late) == _instalment_state(on_time)
    assert late.instalments.get(number=2).fee_due == Decimal("5.00")
    assert _loan_ledger(late) == _loan_ledger(on_time)
    assert _deposit(late) == _deposit(on_time)
    second_on_late.refresh_from_db()
    assert second_on_late.postings == 2 and second_on_late.journal_entry_id != first_entry.pk
    assert JournalEntry.objects.filter(reverses=first_entry).count() == 1
    for name in ("principal_portion", "interest_portion", "fee_portion"):
        assert getattr(second_on_late, name) == getattr(
            LoanTransaction.objects.get(loan=on_time, idempotency_key="second"), name)
    assert_ledger_clean()


def test_a_backdated_repayment_that_would_overpay_is_refused_and_writes_nothing(two_loans, officer):
    on_time, _, first_total = two_loans
    _day(LATE_PAYMENT)
    repay_loan(loan=on_time, amount=_eur(first_total), idempotency_key="first", actor=officer)
    _day(FEE_DAY)
    entries = JournalEntry.objects.count()

    with pytest.raises(DomainError) as refused:
        repay_loan(loan=on_time, amount=_eur("1"), idempotency_key="early", actor=officer,
                   value_date=datetime.date(2026, 12, 24))

    assert refused.value.code == "replay_overpays"
    assert JournalEntry.objects.count() == entries and on_time.transactions.count() == 2


def test_a_backdated_repayment_across_a_prepayment_is_refused(two_loans, officer):
    on_time, _, first_total = two_loans
    _day(LATE_PAYMENT)
    repay_loan(loan=on_time, amount=_eur(first_total + 100), idempotency_key="pre", actor=officer,
               prepayment="lower_instalment")
    _day(FEE_DAY)
    entries = JournalEntry.objects.count()

    with pytest.raises(DomainError) as refused:
        repay_loan(loan=on_time, amount=_eur("1"), idempotency_key="early", actor=officer,
                   value_date=datetime.date(2026, 12, 24))

    assert refused.value.code == "backdated_prepayment" and JournalEntry.objects.count() == entries
