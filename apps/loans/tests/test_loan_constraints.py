"""The database backs a booked loan's invariants (CHECK constraints), on PostgreSQL and SQLite alike."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from apps.loans.models import LoanInstalment, LoanTransaction
from apps.loans.tests.loan_factories import booked_loan

pytestmark = pytest.mark.django_db


@pytest.fixture
def loan(product, borrower, deposit, officer):
    return booked_loan(customer=borrower, product=product, account=deposit, staff=officer)


@pytest.mark.parametrize("change", [
    {"principal_paid": Decimal("100000")},  # paid beyond due
    {"interest_paid": Decimal("-1")},
    {"interest_accrued": Decimal("100000")},  # accrued beyond due
    {"status": "paid"},  # paid without being paid in full
    {"status": "lost"},
])
def test_an_instalment_cannot_break_its_invariants(loan, change):
    with pytest.raises(IntegrityError), transaction.atomic():
        LoanInstalment.objects.filter(loan=loan, number=1).update(**change)


@pytest.mark.parametrize("change", [
    {"amount": Decimal("0")},
    {"amount": Decimal("10"), "principal_portion": Decimal("10"), "interest_portion": Decimal("0.0001")},
    {"fee_portion": Decimal("-1")},
    {"kind": "gift"},
])
def test_a_transaction_cannot_break_its_invariants(loan, change):
    with pytest.raises(IntegrityError), transaction.atomic():
        LoanTransaction.objects.filter(loan=loan).update(**change)


def test_a_loan_cannot_be_closed_without_a_date_or_lend_nothing(loan):
    with pytest.raises(IntegrityError), transaction.atomic():
        type(loan).objects.filter(pk=loan.pk).update(status="closed")
    with pytest.raises(IntegrityError), transaction.atomic():
        type(loan).objects.filter(pk=loan.pk).update(net_disbursed=Decimal("0"))
