"""A booked loan's interest day by day: each instalment's scheduled interest spread evenly over the calendar days
of its period, so what is accrued day by day sums exactly to what is due, and the interest earned by any date is
known (the payoff quote, the end-of-day accrual and a prepayment all use it).

Earned by the end of ``day`` on an instalment whose period runs from ``start`` to ``end``:
``round(interest_due x min(max(day - start, 0), end - start) / (end - start))`` to the currency's minor unit,
half away from zero: the same rule the accrual's SQL applies (``apps/loans/sql/accrue_loans.pg.sql``).
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Context, Decimal

from apps.money import quantum

_WIDE = Context(prec=40)


def interest_earned(*, interest_due: Decimal, start: datetime.date, end: datetime.date, day: datetime.date,
                    currency: str) -> Decimal:
    length = (end - start).days
    elapsed = min(max((day - start).days, 0), length)
    if elapsed == length:
        return interest_due
    share = _WIDE.divide(_WIDE.multiply(interest_due, Decimal(elapsed)), Decimal(length))
    return share.quantize(quantum(currency), rounding=ROUND_HALF_UP)
