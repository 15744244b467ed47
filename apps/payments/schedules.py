"""When a standing order's payments fall due."""

from __future__ import annotations

import calendar
import datetime

from dateutil.relativedelta import relativedelta


def monthly_due_date(year: int, month: int, day_of_month: int) -> datetime.date:
    """The ``day_of_month`` of that month, or its last day when the month is shorter (31st -> 30th, 28th, 29th)."""
    return datetime.date(year, month, min(day_of_month, calendar.monthrange(year, month)[1]))


def first_due_date(*, frequency: str, start: datetime.date, day_of_month: int | None,
                   weekday: int | None) -> datetime.date:
    if frequency == "weekly":
        return start + datetime.timedelta(days=(weekday - start.weekday()) % 7)
    due = monthly_due_date(start.year, start.month, day_of_month)
    if due < start:
        following = start + relativedelta(months=1)
        due = monthly_due_date(following.year, following.month, day_of_month)
    return due


def following_due_date(*, frequency: str, due: datetime.date, day_of_month: int | None) -> datetime.date:
    if frequency == "weekly":
        return due + datetime.timedelta(days=7)
    following = due + relativedelta(months=1)
    return monthly_due_date(following.year, following.month, day_of_month)
