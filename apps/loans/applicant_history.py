"""What the bank already knows about a loan applicant, for the scorecard: their deposits (balances and what is
paid in) and their loans at the bank (instalments and arrears). Reads only, a query or two each."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, Max, Min, Q, Value
from django.db.models.functions import Coalesce

from apps.accounts.models import Account
from apps.ledger.models import AMOUNT_FIELD, Posting
from apps.ledger.sums import AmountSum
from apps.loans.models import InstalmentStatus, LoanInstalment
from apps.loans.models.loans import OPEN_STATUSES
from apps.loans.product_terms import PERIODS_PER_YEAR
from apps.money import round_to_currency

TURNOVER_DAYS = 90
ZERO = Decimal("0")
OPEN_INSTALMENT = (InstalmentStatus.PENDING, InstalmentStatus.DUE, InstalmentStatus.OVERDUE)
_ZERO = Value(ZERO, output_field=DecimalField(max_digits=30, decimal_places=AMOUNT_FIELD["decimal_places"]))


@dataclass(frozen=True)
class DepositHistory:
    balance: Decimal            # the ledger balance of the customer's open accounts in the currency, now
    monthly_credits: Decimal    # money paid into them over the last TURNOVER_DAYS, a month (30 days)


@dataclass(frozen=True)
class BankLoanHistory:
    monthly_instalments: Decimal  # what the customer's loans at the bank take a month
    loans_in_arrears: int
    max_days_past_due: int


def deposit_history(customer, *, currency: str, on: datetime.date) -> DepositHistory:
    """The customer's own deposit accounts (as main holder) in ``currency``: their balance, and the credits of the
    ``TURNOVER_DAYS`` business dates up to ``on`` averaged over 30-day months."""
    accounts = Account.objects.filter(customer_id=customer.pk, ledger_account__currency=currency).exclude(
        status=Account.Status.CLOSED)
    balance = accounts.aggregate(total=Coalesce(AmountSum("ledger_account__balance"), _ZERO))["total"]
    credits = Posting.objects.filter(
        account_id__in=accounts.values("ledger_account_id"), side="C",
        entry__business_date__gt=on - datetime.timedelta(days=TURNOVER_DAYS),
        entry__business_date__lte=on).aggregate(total=Coalesce(AmountSum("amount"), _ZERO))["total"]
    monthly = (Decimal(credits) * 30 / TURNOVER_DAYS).quantize(Decimal("0.0001"), ROUND_HALF_EVEN)
    return DepositHistory(balance=round_to_currency(Decimal(balance), currency),
                          monthly_credits=round_to_currency(monthly, currency))


def bank_loan_history(customer, *, currency: str, on: datetime.date) -> BankLoanHistory:
    """The customer's active loans at the bank in ``currency``, in one query over their open instalments: each
    loan's regular instalment (its largest still open: the annuity's, or the first after a grace period) as a
    month's worth (a weekly one x 52/12, every two weeks x 26/12, quarterly / 3), and the loans with an
    instalment due before ``on`` still unpaid, the oldest of which gives the days past due. The scorecard's
    debt-to-income and past-delinquency inputs take them from here."""
    instalment = ExpressionWrapper(F("principal_due") + F("interest_due") + F("fee_due"),
                                   output_field=DecimalField(**AMOUNT_FIELD))
    loans = (LoanInstalment.objects
             .filter(loan__customer_id=customer.pk, loan__currency=currency, loan__status__in=OPEN_STATUSES,
                     status__in=OPEN_INSTALMENT)
             .values("loan_id", "loan__repayment_frequency")
             .annotate(instalment=Max(instalment), oldest_unpaid=Min("due_date", filter=Q(due_date__lt=on)))
             .order_by("loan_id"))
    monthly, in_arrears, days_past_due = ZERO, 0, 0
    for loan in loans:
        periods = PERIODS_PER_YEAR[loan["loan__repayment_frequency"]]
        monthly += Decimal(loan["instalment"]) * periods / 12
        if loan["oldest_unpaid"] is not None:
            in_arrears += 1
            days_past_due = max(days_past_due, (on - loan["oldest_unpaid"]).days)
    return BankLoanHistory(monthly_instalments=round_to_currency(monthly, currency), loans_in_arrears=in_arrears,
                           max_days_past_due=days_past_due)
