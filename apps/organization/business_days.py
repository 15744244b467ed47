"""The bank's business days: Monday to Friday, except the bank's holidays (``Holiday``, kept in the admin).

Pure date arithmetic over a set of holiday dates the caller reads once (``selectors.holidays_between``), so a
schedule of hundreds of instalments asks the database one question."""

from __future__ import annotations

import datetime
from collections.abc import Collection

ONE_DAY = datetime.timedelta(days=1)
SATURDAY = 5


def is_business_day(day: datetime.date, holidays: Collection[datetime.date]) -> bool:
    return day.weekday() < SATURDAY and day not in holidays


def next_business_day(day: datetime.date, holidays: Collection[datetime.date]) -> datetime.date:
    """``day`` itself when it is a business day, else the first business day after it."""
    while not is_business_day(day, holidays):
        day += ONE_DAY
    return day
