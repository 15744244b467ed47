"""Calendar arithmetic for posting periods: month ends, quarter ends, adding months to a date."""

from __future__ import annotations

import calendar
import datetime

from apps.accounts.models import PostingFrequency


def month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later, or that month's last day when it is shorter (31 Jan + 1 -> 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last))


def latest_month_end(on: datetime.date) -> datetime.date:
    """The last month end on or before ``on``."""
    end = month_end(on)
    return end if end == on else on.replace(day=1) - datetime.timedelta(days=1)


def latest_period_end(frequency: str, on: datetime.date) -> datetime.date | None:
    """The last period end on or before ``on`` for a posting frequency (None: posted at maturity instead)."""
    if frequency == PostingFrequency.MONTHLY:
        return latest_month_end(on)
    if frequency == PostingFrequency.QUARTERLY:
        end = latest_month_end(on)
        while end.month % 3 != 0:
            end = end.replace(day=1) - datetime.timedelta(days=1)
        return end
    return None
