"""What the bank already knows about a loan applicant, for the scorecard: their deposits (balances and what is
paid in) and their loans at the bank (instalments and arrears). Reads only; one query each."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from django.db.models import DecimalField, Value
from django.db.models.functions import Coalesce

from apps.accounts.models import Account
from apps.ledger.models import AMOUNT_FIELD, Posting
from apps.ledger.sums import AmountSum
from apps.money import round_to_currency

TURNOVER_DAYS = 90
ZERO = Decimal("0")
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
    """The customer's loans at the bank: none are booked yet, so nothing is owed and nothing is past due.
    When booked loans exist (the loan book), this reads their regular instalments in ``currency`` and their
    arrears on ``on``; the scorecard's past-delinquency and debt-to-income inputs take them from here."""
    return BankLoanHistory(monthly_instalments=ZERO, loans_in_arrears=0, max_days_past_due=0)
