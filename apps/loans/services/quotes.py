"""What it takes to pay a loan off, or what a part-prepayment would make of its schedule, as of a date. Reads only.

The payoff as of a date: everything owed on the instalments due by then, and of the later ones the principal,
the fees and penalties charged, and the interest earned up to that date (``loan_interest.interest_earned``) —
never the interest of days not yet run.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from apps.loans.errors import QuoteRefused
from apps.loans.loan_interest import interest_earned
from apps.loans.loan_rules import live_instalments
from apps.loans.models import Loan, LoanInstalment

ZERO = Decimal(0)


@dataclass(frozen=True)
class PayoffQuote:
    as_of: datetime.date
    currency: str
    principal: Decimal
    interest: Decimal
    fees: Decimal
    penalties: Decimal

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest + self.fees + self.penalties


def interest_owed_by(instalment: LoanInstalment, day: datetime.date, currency: str) -> Decimal:
    """The instalment's interest owed if the loan were paid off at the end of ``day``."""
    if instalment.due_date <= day:
        return instalment.owed("interest")
    earned = interest_earned(interest_due=instalment.interest_due, start=instalment.period_start,
                             end=instalment.period_end, day=day, currency=currency)
    return max(earned - instalment.interest_paid, ZERO)


def payoff_from(instalments: Sequence[LoanInstalment], *, day: datetime.date, currency: str) -> PayoffQuote:
    return PayoffQuote(
        as_of=day, currency=currency,
        principal=sum((i.owed("principal") for i in instalments), ZERO),
        interest=sum((interest_owed_by(i, day, currency) for i in instalments), ZERO),
        fees=sum((i.owed("fee") for i in instalments), ZERO),
        penalties=sum((i.owed("penalty") for i in instalments), ZERO))


def ensure_quote_date(loan: Loan, as_of: datetime.date) -> None:
    """A quote is as of a day of the loan's life: not before it was disbursed (a later day is a quote ahead)."""
    if as_of < loan.disbursement_date:
        raise QuoteRefused(f"The loan was disbursed on {loan.disbursement_date}: no quote as of {as_of}.",
                               code="quote_before_loan")


def payoff_quote(*, loan: Loan, as_of: datetime.date) -> PayoffQuote:
    """The amount that closes ``loan`` if paid with value date ``as_of``."""
    ensure_quote_date(loan, as_of)
    return payoff_from(list(live_instalments(loan)), day=as_of, currency=loan.currency)
