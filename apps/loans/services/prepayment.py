"""A part-prepayment re-amortises what is not yet due with the schedule engine; the customer chooses how.

After what is due by the value date is paid, the rest of a repayment repays principal early. The instalments not
yet due are superseded (kept, ``rescheduled``) by a new schedule of the principal left, over the same periods:
- ``lower_instalment``: as many instalments as were left, each smaller;
- ``shorten_term``: the fewest instalments whose regular instalment is no larger than it was, so it ends sooner.
The first new instalment collects the interest earned on the old balance up to the value date plus the new
balance's interest for the rest of that period; the fees and penalties charged on the superseded instalments, and the
interest already accrued on them, move to it. ``prepayment_quote`` shows the new schedule without writing anything.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from apps.loans.allocation import owed_by
from apps.loans.errors import QuoteRefused, RepaymentRefused
from apps.loans.loan_interest import interest_earned
from apps.loans.loan_rules import live_instalments
from apps.loans.models import InstalmentStatus, Loan, LoanInstalment, PrepaymentChoice
from apps.loans.schedule import Instalment, ScheduleTerms, build_schedule, latest_due_date
from apps.loans.services.quotes import ensure_quote_date
from apps.money import quantum
from apps.organization.selectors import holidays_between

ZERO = Decimal(0)


@dataclass(frozen=True)
class Reamortisation:
    principal_left: Decimal
    instalments: tuple[LoanInstalment, ...]  # unsaved, numbered on from the first superseded one


def _terms(loan: Loan, *, principal: Decimal, term: int, start: datetime.date, first_end: datetime.date,
           holidays) -> ScheduleTerms:
    product = loan.product
    return ScheduleTerms(
        currency=loan.currency, amount=principal, annual_rate=loan.annual_rate, term=term,
        frequency=loan.repayment_frequency, amortization=product.amortization, day_count=product.day_count,
        disbursement_date=start, first_repayment_date=first_end, rounding_multiple=product.rounding_multiple,
        due_date_rule=product.due_date_rule, holidays=holidays)


def reamortise(*, loan: Loan, future: Sequence[LoanInstalment], prepaid: Decimal, value_date: datetime.date,
               choice: str) -> Reamortisation:
    """The instalments that replace ``future`` (not yet due, nothing paid on them) after ``prepaid`` of
    principal is repaid on ``value_date``."""
    if choice not in PrepaymentChoice.values:
        raise RepaymentRefused("A repayment beyond what is due needs a prepayment choice: shorten_term or "
                               "lower_instalment.", code="prepayment_choice_required")
    principal = sum((i.principal_due for i in future), ZERO)
    left = principal - prepaid
    if left <= 0:
        raise RepaymentRefused("The prepayment repays all the principal: pay the loan off instead.",
                               code="prepayment_exceeds_principal")
    first = future[0]
    start, first_end = first.period_start, first.period_end
    holidays = holidays_between(start, latest_due_date(start, loan.repayment_frequency, len(future)))
    old = build_schedule(_terms(loan, principal=principal, term=len(future), start=start, first_end=first_end,
                                holidays=holidays))
    term = len(future)
    if choice == PrepaymentChoice.SHORTEN_TERM:
        term = next(m for m in range(1, len(future) + 1) if build_schedule(_terms(
            loan, principal=left, term=m, start=start, first_end=first_end, holidays=holidays,
        )).regular_instalment <= old.regular_instalment)
    new = build_schedule(_terms(loan, principal=left, term=term, start=start, first_end=first_end,
                                holidays=holidays))
    return Reamortisation(principal_left=left, instalments=tuple(
        _instalment(loan, line, number=first.number + index, first=first if index == 0 else None,
                    value_date=value_date, carried=(sum((i.fee_due for i in future), ZERO),
                                                    sum((i.penalty_due for i in future), ZERO),
                                                    sum((i.interest_accrued for i in future), ZERO)))
        for index, line in enumerate(new.instalments)))


def _instalment(loan: Loan, line: Instalment, *, number: int, first: LoanInstalment | None,
                value_date: datetime.date, carried: tuple[Decimal, Decimal, Decimal]) -> LoanInstalment:
    interest, fee, penalty, accrued = line.interest, ZERO, ZERO, ZERO
    if first is not None:
        # Interest earned on the old balance to the value date, the new balance's for the rest of the period.
        earned = interest_earned(interest_due=first.interest_due, start=first.period_start, end=first.period_end,
                                 day=value_date, currency=loan.currency)
        length = (first.period_end - first.period_start).days
        rest = max((first.period_end - value_date).days, 0)
        interest = earned + (line.interest * rest / length).quantize(quantum(loan.currency), rounding=ROUND_HALF_UP)
        fee, penalty, accrued = carried
        accrued = min(accrued, interest)
    return LoanInstalment(
        loan=loan, number=number, period_start=line.period_start, period_end=line.period_end,
        due_date=line.due_date, principal_due=line.principal, interest_due=interest, fee_due=fee,
        penalty_due=penalty, interest_accrued=accrued, status=InstalmentStatus.PENDING)


def quote_repayment_with_prepayment(*, loan: Loan, amount: Decimal, choice: str, as_of: datetime.date
                                    ) -> tuple[Decimal, Reamortisation]:
    """What a repayment of ``amount`` on ``as_of`` prepays (beyond what is due by then), and the schedule it would
    leave; refused (``nothing_to_prepay``) when it prepays nothing. Writes nothing."""
    instalments = list(live_instalments(loan))
    prepaid = amount - owed_by(instalments, as_of)
    if prepaid <= 0:
        raise QuoteRefused("The amount does not go beyond what is due: nothing is prepaid.", code="nothing_to_prepay")
    return prepaid, prepayment_quote(loan=loan, instalments=instalments, prepaid=prepaid, value_date=as_of,
                                     choice=choice)


def prepayment_quote(*, loan: Loan, instalments: Sequence[LoanInstalment], prepaid: Decimal,
                     value_date: datetime.date, choice: str) -> Reamortisation:
    """The schedule a part-prepayment of ``prepaid`` principal on ``value_date`` would leave (writes nothing)."""
    ensure_quote_date(loan, value_date)
    future = [i for i in instalments if i.due_date > value_date]
    if not future:
        raise QuoteRefused("Nothing is left to prepay: every instalment is due.", code="nothing_to_prepay")
    return reamortise(loan=loan, future=future, prepaid=prepaid, value_date=value_date, choice=choice)
