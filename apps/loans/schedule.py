"""The repayment schedule engine: pure Decimal arithmetic, no database.

Given the terms of one loan (``ScheduleTerms``) it returns every instalment: its period, its due date, the
principal, interest and fees it collects, its total and the principal outstanding after it. The rules
(docs/loans.md explains them with the formulas):

- Interest is on the declining balance (annuity, equal principal) or on the amount lent (flat). A period's
  interest is ``balance x annual rate x year_fraction(day count, period start, period end)``, rounded to the
  currency's minor unit; the periods run between the nominal dates (before any business-day move), so moving
  a due date off a holiday changes when an instalment is due, never how much.
- The annuity's instalment is ``P r / (1 - (1 + r)^-m)`` with the nominal periodic rate ``r = annual rate /
  periods a year`` over the ``m`` instalments that repay principal, rounded to the product's multiple (the
  minor unit by default). Equal principal and flat repay ``P / m`` of principal each, rounded the same way.
- The last instalment takes the whole remaining balance, so the principal always sums exactly to the amount
  financed; it absorbs every rounding residue.
- Grace on principal: the first instalments collect interest only. Grace on interest: the first instalments
  collect no interest; when it accrues, their interest is collected with the first instalment after the
  grace, otherwise it is waived. The interest grace is never longer than the principal grace.
- An origination fee is deducted from the amount paid out, or added to the principal (then it bears interest).
- Due dates fall on business days under the product's rule: the next business day (weekends and the bank's
  holidays skipped), or the nominal date itself.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from apps.accounts.daycount import months_later, year_fraction
from apps.loans.errors import ScheduleRefused
from apps.loans.product_terms import (
    PERIODS_PER_YEAR,
    Amortization,
    DueDateRule,
    FeeKind,
    FeeTreatment,
    RepaymentFrequency,
)
from apps.money import quantum
from apps.organization.business_days import next_business_day

CONTEXT = decimal.Context(prec=34, rounding=decimal.ROUND_HALF_EVEN, traps=[decimal.InvalidOperation,
                                                                          decimal.DivisionByZero])
HUNDRED = Decimal(100)
ZERO = Decimal(0)
# A first instalment may come at most this many periods after the disbursement (a longer first period would
# collect more interest than an instalment holds).
MAX_FIRST_PERIODS = 2


@dataclass(frozen=True)
class ScheduleTerms:
    currency: str
    amount: Decimal
    annual_rate: Decimal  # percent a year: 9.4822 means 9.4822 %
    term: int  # number of instalments
    frequency: str = RepaymentFrequency.MONTHLY
    amortization: str = Amortization.ANNUITY
    day_count: str = "30_360_months"
    disbursement_date: datetime.date = datetime.date(2025, 1, 1)
    first_repayment_date: datetime.date | None = None  # None: one period after the disbursement
    principal_grace: int = 0
    interest_grace: int = 0
    grace_interest_accrues: bool = False
    fee_kind: str = FeeKind.NONE
    fee_value: Decimal = ZERO  # an amount (fixed) or percent of the amount (percentage)
    fee_treatment: str = FeeTreatment.DEDUCTED
    rounding_multiple: Decimal | None = None  # None: the currency's minor unit
    due_date_rule: str = DueDateRule.NEXT_BUSINESS_DAY
    holidays: Collection[datetime.date] = field(default_factory=frozenset)


class Instalment(NamedTuple):
    number: int
    period_start: datetime.date
    period_end: datetime.date  # the nominal date: interest runs to it
    due_date: datetime.date  # the date it is due: the nominal date moved under the due-date rule
    principal: Decimal
    interest: Decimal
    fees: Decimal
    total: Decimal
    outstanding: Decimal  # principal outstanding after this instalment


@dataclass(frozen=True)
class Schedule:
    currency: str
    amount: Decimal  # what the customer asked for
    origination_fee: Decimal
    fee_treatment: str
    principal: Decimal  # what is repaid: the amount, plus the fee when it is added to the principal
    net_disbursed: Decimal  # what reaches the customer: the amount, less the fee when it is deducted
    regular_instalment: Decimal  # the annuity's instalment; the regular principal for the other methods
    instalments: tuple[Instalment, ...]

    @property
    def total_principal(self) -> Decimal:
        return sum((i.principal for i in self.instalments), ZERO)

    @property
    def total_interest(self) -> Decimal:
        return sum((i.interest for i in self.instalments), ZERO)

    @property
    def total_fees(self) -> Decimal:
        return sum((i.fees for i in self.instalments), ZERO)

    @property
    def total_repayment(self) -> Decimal:
        return sum((i.total for i in self.instalments), ZERO)


def _minor(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(quantum(currency), context=CONTEXT)


def round_to_multiple(amount: Decimal, multiple: Decimal | None, currency: str) -> Decimal:
    """The nearest multiple (half to even), in the currency's minor unit."""
    if multiple is None:
        return _minor(amount, currency)
    units = CONTEXT.divide(amount, multiple).quantize(Decimal(1), context=CONTEXT)
    return _minor(CONTEXT.multiply(units, multiple), currency)


def origination_fee(terms: ScheduleTerms) -> Decimal:
    if terms.fee_kind == FeeKind.FIXED:
        return _minor(terms.fee_value, terms.currency)
    if terms.fee_kind == FeeKind.PERCENTAGE:
        return _minor(CONTEXT.divide(CONTEXT.multiply(terms.amount, terms.fee_value), HUNDRED), terms.currency)
    return ZERO


def annuity_payment(principal: Decimal, periodic_rate: Decimal, instalments: int) -> Decimal:
    """``P r / (1 - (1 + r)^-n)``, unrounded (``P / n`` at a zero rate)."""
    if periodic_rate == 0:
        return CONTEXT.divide(principal, Decimal(instalments))
    growth = CONTEXT.power(CONTEXT.add(1, periodic_rate), instalments)
    return CONTEXT.divide(CONTEXT.multiply(CONTEXT.multiply(principal, periodic_rate), growth),
                          CONTEXT.subtract(growth, 1))


def _step(day: datetime.date, frequency: str, count: int) -> datetime.date:
    """``count`` periods after ``day``; months keep the day, or the month's last day when it is shorter."""
    if frequency == RepaymentFrequency.WEEKLY:
        return day + datetime.timedelta(weeks=count)
    if frequency == RepaymentFrequency.BIWEEKLY:
        return day + datetime.timedelta(weeks=2 * count)
    if frequency == RepaymentFrequency.MONTHLY:
        return months_later(day, count)
    if frequency == RepaymentFrequency.QUARTERLY:
        return months_later(day, 3 * count)
    raise ScheduleRefused(f"Unknown repayment frequency {frequency!r}.", code="unknown_frequency")


def nominal_dates(terms: ScheduleTerms) -> list[datetime.date]:
    """The instalments' nominal dates: the first repayment date, then one period after another counted from it
    (31 January monthly: 28 February, 31 March, ...)."""
    first = terms.first_repayment_date or _step(terms.disbursement_date, terms.frequency, 1)
    if first <= terms.disbursement_date:
        raise ScheduleRefused("The first repayment must come after the disbursement.",
                              code="first_repayment_not_after_disbursement")
    if first > _step(terms.disbursement_date, terms.frequency, MAX_FIRST_PERIODS):
        raise ScheduleRefused(f"The first repayment may come at most {MAX_FIRST_PERIODS} periods after the "
                              "disbursement.", code="first_repayment_too_late")
    return [_step(first, terms.frequency, k) for k in range(terms.term)]


def latest_due_date(disbursement_date: datetime.date, frequency: str, term: int) -> datetime.date:
    """No instalment of ``term`` from ``disbursement_date`` falls due later (the first may come
    ``MAX_FIRST_PERIODS`` periods out, and a due date may move past a run of holidays): the span of the bank's
    calendar a schedule reads."""
    return _step(disbursement_date, frequency, term + MAX_FIRST_PERIODS) + datetime.timedelta(days=31)


def _check(terms: ScheduleTerms) -> None:
    if terms.term < 1:
        raise ScheduleRefused("A loan has at least one instalment.", code="term_not_positive")
    if terms.amount <= 0:
        raise ScheduleRefused("The amount must be positive.", code="amount_not_positive")
    if terms.annual_rate < 0:
        raise ScheduleRefused("The interest rate cannot be negative.", code="rate_negative")
    if not 0 <= terms.interest_grace <= terms.principal_grace < terms.term:
        raise ScheduleRefused("Grace on principal must leave at least one instalment that repays principal, and "
                              "grace on interest cannot be longer than grace on principal.", code="grace_too_long")
    if terms.rounding_multiple is not None and terms.rounding_multiple <= 0:
        raise ScheduleRefused("The rounding multiple must be positive.", code="rounding_multiple_not_positive")
    if terms.amortization not in Amortization.values:
        raise ScheduleRefused(f"Unknown amortisation {terms.amortization!r}.", code="unknown_amortization")


def _regular_interest(terms: ScheduleTerms, principal: Decimal, starts: list[datetime.date],
                      ends: list[datetime.date]) -> list[Decimal] | None:
    """Flat loans: the interest on the amount lent over the whole term, spread equally over the instalments
    (the last one takes the residue). None for the declining-balance methods (computed period by period)."""
    if terms.amortization != Amortization.FLAT:
        return None
    rate = CONTEXT.divide(terms.annual_rate, HUNDRED)
    total = _minor(CONTEXT.multiply(CONTEXT.multiply(principal, rate),
                                    year_fraction(terms.day_count, starts[0], ends[-1])), terms.currency)
    # Rounded down, so the last share (the residue) is never negative.
    share = CONTEXT.divide(total, Decimal(terms.term)).quantize(quantum(terms.currency), rounding=decimal.ROUND_DOWN)
    return [share] * (terms.term - 1) + [total - share * (terms.term - 1)]


def build_schedule(terms: ScheduleTerms) -> Schedule:
    """Every instalment of a loan on ``terms``; refuses terms no schedule can honour (``ScheduleRefused``)."""
    _check(terms)
    currency = terms.currency
    fee = origination_fee(terms)
    if terms.fee_treatment == FeeTreatment.CAPITALISED:
        principal, net_disbursed = terms.amount + fee, terms.amount
    else:
        principal, net_disbursed = terms.amount, terms.amount - fee
    if net_disbursed <= 0:
        raise ScheduleRefused("The origination fee takes the whole amount.", code="fee_exceeds_amount")

    ends = nominal_dates(terms)
    starts = [terms.disbursement_date, *ends[:-1]]
    rate = CONTEXT.divide(terms.annual_rate, HUNDRED)
    repaying = terms.term - terms.principal_grace
    if terms.amortization == Amortization.ANNUITY:
        periodic = CONTEXT.divide(rate, Decimal(PERIODS_PER_YEAR[terms.frequency]))
        regular = round_to_multiple(annuity_payment(principal, periodic, repaying), terms.rounding_multiple, currency)
    else:
        regular = round_to_multiple(CONTEXT.divide(principal, Decimal(repaying)), terms.rounding_multiple, currency)
    if regular <= 0:
        raise ScheduleRefused("The rounding multiple leaves instalments of nothing.", code="rounding_multiple_too_big")
    flat_interest = _regular_interest(terms, principal, starts, ends)

    instalments = []
    balance, deferred = principal, ZERO
    minor = quantum(currency)
    moves = terms.due_date_rule == DueDateRule.NEXT_BUSINESS_DAY
    for index, (start, end) in enumerate(zip(starts, ends, strict=True)):
        number = index + 1
        if flat_interest is None:
            accrued = CONTEXT.multiply(CONTEXT.multiply(balance, rate), year_fraction(terms.day_count, start, end))
            interest = accrued.quantize(minor, context=CONTEXT)
        else:
            interest = flat_interest[index]
        if number <= terms.interest_grace:
            deferred += interest if terms.grace_interest_accrues else ZERO
            charged = ZERO
        else:
            charged, deferred = interest + deferred, ZERO
        if number <= terms.principal_grace:
            repaid = ZERO
        elif number == terms.term:
            repaid = balance
        elif terms.amortization == Amortization.ANNUITY:
            repaid = min(max(regular - interest, ZERO), balance)
        else:
            repaid = min(regular, balance)
        balance -= repaid
        due = next_business_day(end, terms.holidays) if moves else end
        instalments.append(Instalment(number=number, period_start=start, period_end=end, due_date=due,
                                      principal=repaid, interest=charged, fees=ZERO, total=repaid + charged,
                                      outstanding=balance))
    return Schedule(currency=currency, amount=terms.amount, origination_fee=fee, fee_treatment=terms.fee_treatment,
                    principal=principal, net_disbursed=net_disbursed, regular_instalment=regular,
                    instalments=tuple(instalments))
