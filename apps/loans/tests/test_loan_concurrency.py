"""Real races on PostgreSQL: repayments of one loan at once never pay an instalment twice; one key, one payment."""

import datetime
from decimal import Decimal

import pytest

from apps.accounts.tests.factories import install_chart, open_funded_account, savings_product
from apps.customers.tests.factories import verified_customer
from apps.domain_errors import DomainError
from apps.ledger.models import LedgerAccount
from apps.loans.models import LoanTransaction
from apps.loans.services.repayment import repay_loan
from apps.loans.tests.factories import loan_product
from apps.loans.tests.loan_factories import assert_ledger_clean, booked_loan, loan_staff, set_business_date
from apps.money import Money
from apps.organization.tests.factories import CustomerUserFactory
from tests.races import run_in_threads

pytestmark = [pytest.mark.race, pytest.mark.django_db(transaction=True)]
THREADS = 8


@pytest.fixture
def loan_due(branch_a, branch_b, teller_a):
    install_chart()
    borrower = verified_customer(branch=branch_a, user=CustomerUserFactory())
    account = open_funded_account(borrower, savings_product(rate="0"), "500.00", teller=teller_a)
    officer = loan_staff(branch_a)
    loan = booked_loan(customer=borrower, product=loan_product(), account=account, staff=officer, amount="1200.00")
    set_business_date(datetime.date(2026, 12, 23))
    first = loan.instalments.get(number=1)
    return loan, officer, first.principal_due + first.interest_due


def _deposit_balance(loan):
    return LedgerAccount.objects.get(pk=loan.deposit_account.ledger_account_id).balance


def test_concurrent_repayments_with_different_keys_never_pay_an_instalment_twice(loan_due):
    loan, officer, due = loan_due
    refused = []

    def work(index):
        try:
            repay_loan(loan=loan, amount=Money(due, "EUR"), idempotency_key=f"k{index}", actor=officer)
        except DomainError as error:
            assert error.code == "prepayment_choice_required", error
            refused.append(error)

    assert run_in_threads(work, threads=THREADS) == []
    assert LoanTransaction.objects.filter(kind="repayment").count() == 1 and len(refused) == THREADS - 1
    first = loan.instalments.get(number=1)
    assert first.status == "paid" and first.principal_paid == first.principal_due
    assert _deposit_balance(loan) == Decimal("1700.00") - due
    assert_ledger_clean()


def test_the_same_key_from_several_threads_is_one_payment(loan_due):
    loan, officer, _ = loan_due
    results = []

    def work(index):
        results.append(repay_loan(loan=loan, amount=Money("10.00", "EUR"), idempotency_key="same", actor=officer))

    assert run_in_threads(work, threads=THREADS) == []
    assert len({txn.pk for txn in results}) == 1 and sum(not txn.replayed for txn in results) == 1
    assert _deposit_balance(loan) == Decimal("1690.00")
    assert_ledger_clean()
