"""Fees and penalties charged on a loan: Dr receivable, Cr fee income; onto the overdue instalment first; paid
first under the default allocation order; refusals write nothing."""

import datetime
from decimal import Decimal

import pytest

from apps.domain_errors import DomainError
from apps.ledger.models import JournalEntry
from apps.loans.models import LoanTransaction
from apps.loans.services.charges import charge_loan
from apps.loans.services.repayment import repay_loan
from apps.loans.tests.loan_factories import assert_ledger_clean, booked_loan, set_business_date
from apps.money import Money

pytestmark = pytest.mark.django_db
AFTER_FIRST_DUE = datetime.date(2026, 12, 28)


@pytest.fixture
def loan(product, borrower, deposit, officer):
    return booked_loan(customer=borrower, product=product, account=deposit, staff=officer, amount="1200.00")


def test_a_penalty_lands_on_the_overdue_instalment_and_is_paid_first(loan, officer):
    set_business_date(AFTER_FIRST_DUE)

    penalty = charge_loan(loan=loan, kind="penalty", amount=Money("7.50", "EUR"), idempotency_key="late",
                          actor=officer)
    txn = repay_loan(loan=loan, amount=Money("10.00", "EUR"), idempotency_key="r", actor=officer)

    assert penalty.instalment.number == 1 and loan.instalments.get(number=1).penalty_due == Decimal("7.50")
    assert (txn.penalty_portion, txn.interest_portion) == (Decimal("7.50"), Decimal("2.50"))
    postings = {(p.account.code, p.side): p.amount for p in penalty.journal_entry.postings.select_related("account")}
    assert postings == {("1210", "D"): Decimal("7.50"), ("4010", "C"): Decimal("7.50")}
    again = charge_loan(loan=loan, kind="penalty", amount=Money("7.50", "EUR"), idempotency_key="late",
                        actor=officer)
    assert again.pk == penalty.pk and again.replayed
    assert_ledger_clean()


@pytest.mark.parametrize(("arguments", "code"), [
    ({"amount": Money("0", "EUR")}, "amount_not_positive"),
    ({"amount": Money("5", "USD")}, "currency_mismatch"),
    ({"kind": "gift"}, "unknown_charge"),
    ({"value_date": datetime.date(2027, 1, 1)}, "value_date_future"),
])
def test_charge_refusals_write_nothing(loan, officer, arguments, code):
    set_business_date(AFTER_FIRST_DUE)
    before = (JournalEntry.objects.count(), LoanTransaction.objects.count(),
              list(loan.instalments.values_list("fee_due", "penalty_due")))
    given = {"kind": "fee", "amount": Money("5", "EUR"), "idempotency_key": "c", **arguments}

    with pytest.raises(DomainError) as refused:
        charge_loan(loan=loan, actor=officer, **given)

    assert refused.value.code == code and 400 <= refused.value.status < 500
    assert (JournalEntry.objects.count(), LoanTransaction.objects.count(),
            list(loan.instalments.values_list("fee_due", "penalty_due"))) == before


def test_a_teller_without_the_role_may_not_charge(loan, teller_a):
    with pytest.raises(DomainError) as refused:
        charge_loan(loan=loan, kind="fee", amount=Money("5", "EUR"), idempotency_key="c", actor=teller_a)
    assert refused.value.status == 403 and LoanTransaction.objects.filter(kind="fee").count() == 0
