"""The loans' end of day after the accrual: instalments marked due and overdue, and the automatic debits.

- ``mark_instalments``: every open instalment due on the date reads due, every one due before it overdue (two
  set-based UPDATEs; catch-up is in the rule: everything due by the date). Bulk updates write no history rows:
  the status follows from the date and the paid columns, whose every change is a transaction with history.
- ``collect_due_instalments``: each active loan with something due by the date is debited from its deposit account
  what it owes, or what the account has available when that is less; what is left is tried again the next day
  (the key is the loan and the date, so a second run of a date debits nothing again). One repayment per loan, each
  in its own transaction: a loan whose account cannot pay does not hold up the others.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Exists, OuterRef

from apps.accounts.models import Account
from apps.accounts.selectors import available_balance
from apps.domain_errors import DomainError
from apps.loans.allocation import owed_by
from apps.loans.models import InstalmentStatus, Loan, LoanInstalment, LoanStatus, TransactionChannel
from apps.loans.services.repayment import repay_loan
from apps.money import Money

OPEN = (InstalmentStatus.PENDING, InstalmentStatus.DUE, InstalmentStatus.OVERDUE)


def mark_instalments(business_date: datetime.date) -> dict[str, int]:
    open_instalments = LoanInstalment.objects.filter(loan__status=LoanStatus.ACTIVE)
    overdue = open_instalments.filter(status__in=(InstalmentStatus.PENDING, InstalmentStatus.DUE),
                                      due_date__lt=business_date).update(status=InstalmentStatus.OVERDUE)
    due = open_instalments.filter(status=InstalmentStatus.PENDING, due_date=business_date).update(
        status=InstalmentStatus.DUE)
    return {"due": due, "overdue": overdue}


def loans_with_something_due(business_date: datetime.date):
    owing = LoanInstalment.objects.filter(loan=OuterRef("pk"), status__in=OPEN, due_date__lte=business_date)
    return Loan.objects.filter(Exists(owing), status=LoanStatus.ACTIVE).order_by("pk")


def collect_due_instalments(business_date: datetime.date) -> dict[str, int]:
    collected = short = refused = 0
    for loan in loans_with_something_due(business_date).select_related("product").iterator(chunk_size=500):
        owed = owed_by(loan.instalments.filter(status__in=OPEN), business_date)
        account = Account.objects.select_related("ledger_account").get(pk=loan.deposit_account_id)
        available = available_balance(account).amount if account.status in ("active", "dormant") else Decimal(0)
        amount = min(owed, max(available, Decimal(0)))
        if amount <= 0:
            short += 1
            continue
        try:
            repay_loan(loan=loan, amount=Money(amount, loan.currency), actor=None,
                       idempotency_key=f"auto-debit:{business_date}", channel=TransactionChannel.AUTO_DEBIT,
                       value_date=business_date, booked_on=business_date)
        except DomainError:
            refused += 1  # funds moved since the read, or the account froze: tried again tomorrow
            continue
        collected += 1
        short += amount < owed
    return {"collected": collected, "short": short, "refused": refused}
