"""Day-count conventions: what fraction of a year lies between two dates.

Daily accrual for business date ``d`` uses the fraction of the one-day period ``[d, d + 1)``:

- ACT/365 (fixed): actual days / 365, leap year or not.
- ACT/360: actual days / 360.
- ACT/ACT (ISDA): the days falling in a leap year count 1/366, the others 1/365 (a period spanning a year end
  is split at 1 January).
- 30/360 (US): every month counts 30 days: ``360*(Y2-Y1) + 30*(M2-M1) + (D2-D1)`` with D1 = 31 -> 30, and
  D2 = 31 -> 30 when D1 is 30 or 31. The end-of-February rules of the US convention apply only to
  end-of-month securities (bonds paying on the last day of February), which a deposit is not, so they are not
  applied: in a month of 31 days the 30th accrues nothing (30 to 31 counts 0 days: D2 31 -> 30) and the 31st
  one day (31 to the 1st: D1 31 -> 30), the last day of February accrues up to 1 March (3 days in a common
  year, 2 in a leap year), and every calendar month accrues exactly 30/360 of the annual rate.
- 30-day months / 360-day year (Fineract's "30 days in month, 360 days in year", for loan schedules): every
  month counts exactly 30 days whatever its length. A period of whole months (the start's day stepped month by
  month, kept at the month's last day when the month is shorter: 31 January -> 28 February -> 31 March, or
  28 February -> 28 March), or from one month end to another, counts 30 days a month; what is left over counts
  its days with the day of the month capped at 30 and a month's last day as its 30th. Over any calendar month
  the daily fractions sum to exactly 30/360.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import models

ONE_DAY = datetime.timedelta(days=1)


class DayCount(models.TextChoices):
    ACT_365_FIXED = "act_365f", "ACT/365 (fixed)"
    ACT_360 = "act_360", "ACT/360"
    THIRTY_360_US = "30_360_us", "30/360 (US)"
    ACT_ACT_ISDA = "act_act_isda", "ACT/ACT (ISDA)"
    THIRTY_360_MONTHS = "30_360_months", "30-day months / 360-day year"


def is_leap_year(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def days_30_360_us(start: datetime.date, end: datetime.date) -> int:
    d1, d2 = start.day, end.day
    if d2 == 31 and d1 >= 30:
        d2 = 30
    if d1 == 31:
        d1 = 30
    return 360 * (end.year - start.year) + 30 * (end.month - start.month) + (d2 - d1)


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def days_in_month(year: int, month: int) -> int:
    return 29 if month == 2 and is_leap_year(year) else _MONTH_DAYS[month - 1]


def _last_day_of_month(day: datetime.date) -> int:
    return days_in_month(day.year, day.month)


def months_later(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later, or that month's last day when it is shorter (31 Jan + 1 -> 28/29 Feb)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return datetime.date(year, month + 1, min(day.day, days_in_month(year, month + 1)))


def _capped_days(start: datetime.date, end: datetime.date) -> int:
    d1, d2 = (30 if day.day == _last_day_of_month(day) else min(day.day, 30) for day in (start, end))
    return 360 * (end.year - start.year) + 30 * (end.month - start.month) + (d2 - d1)


def days_30_day_months(start: datetime.date, end: datetime.date) -> int:
    """Days between two dates when every month has 30: whole months count 30 days each, the rest its days with
    a month's last day as its 30th."""
    months = 12 * (end.year - start.year) + end.month - start.month
    if start.day == end.day or (start.day == _last_day_of_month(start) and end.day == _last_day_of_month(end)):
        return 30 * months
    if months <= 0:
        return _capped_days(start, end)
    later = months_later(start, months)
    if later > end:
        months -= 1
        later = months_later(start, months)
    return 30 * months + _capped_days(later, end)


def _act_act_isda(start: datetime.date, end: datetime.date) -> Decimal:
    fraction = Decimal(0)
    cursor = start
    while cursor < end:
        year_end = datetime.date(cursor.year + 1, 1, 1)
        stop = min(end, year_end)
        fraction += Decimal((stop - cursor).days) / Decimal(366 if is_leap_year(cursor.year) else 365)
        cursor = stop
    return fraction


def year_fraction(convention: str, start: datetime.date, end: datetime.date) -> Decimal:
    """The fraction of a year between ``start`` (included) and ``end`` (excluded) under ``convention``."""
    if end < start:
        raise ValueError("The period ends before it starts.")
    if convention == DayCount.ACT_365_FIXED:
        return Decimal((end - start).days) / Decimal(365)
    if convention == DayCount.ACT_360:
        return Decimal((end - start).days) / Decimal(360)
    if convention == DayCount.THIRTY_360_US:
        return Decimal(days_30_360_us(start, end)) / Decimal(360)
    if convention == DayCount.ACT_ACT_ISDA:
        return _act_act_isda(start, end)
    if convention == DayCount.THIRTY_360_MONTHS:
        return Decimal(days_30_day_months(start, end)) / Decimal(360)
    raise ValueError(f"Unknown day-count convention {convention!r}.")


def daily_fraction(convention: str, business_date: datetime.date) -> Decimal:
    """The fraction of a year one business date accrues: the period from ``business_date`` to the next day."""
    return year_fraction(convention, business_date, business_date + ONE_DAY)
