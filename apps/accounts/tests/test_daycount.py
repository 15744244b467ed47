"""Day-count conventions against values worked out by hand (leap years, month ends, year ends)."""

import datetime
from decimal import Decimal

import pytest

from apps.accounts.daycount import DayCount, daily_fraction, days_30_360_us, days_30_day_months, year_fraction

D = datetime.date


@pytest.mark.parametrize(("start", "end", "expected"), [
    (D(2024, 1, 1), D(2025, 1, 1), Decimal(366) / 365),    # a leap year still counts /365
    (D(2025, 2, 28), D(2025, 3, 1), Decimal(1) / 365),
    (D(2024, 2, 28), D(2024, 3, 1), Decimal(2) / 365),     # 29 February exists
])
def test_act_365_fixed(start, end, expected):
    assert year_fraction(DayCount.ACT_365_FIXED, start, end) == expected


@pytest.mark.parametrize(("start", "end", "expected"), [
    (D(2025, 1, 31), D(2025, 3, 1), Decimal(29) / 360),
    (D(2024, 1, 1), D(2025, 1, 1), Decimal(366) / 360),
])
def test_act_360(start, end, expected):
    assert year_fraction(DayCount.ACT_360, start, end) == expected


@pytest.mark.parametrize(("start", "end", "expected"), [
    (D(2023, 12, 15), D(2024, 1, 15), Decimal(17) / 365 + Decimal(14) / 366),  # split at 1 January
    (D(2024, 1, 1), D(2025, 1, 1), Decimal(1)),
    (D(2023, 1, 1), D(2024, 1, 1), Decimal(1)),
    (D(2024, 2, 29), D(2024, 3, 1), Decimal(1) / 366),
])
def test_act_act_isda(start, end, expected):
    assert year_fraction(DayCount.ACT_ACT_ISDA, start, end) == expected


@pytest.mark.parametrize(("start", "end", "days"), [
    (D(2025, 1, 31), D(2025, 2, 28), 28),   # D1 31 -> 30: 30 + (28 - 30)
    (D(2024, 2, 29), D(2024, 3, 31), 32),   # D1 is 29, so D2 stays 31: 30 + 2
    (D(2025, 1, 30), D(2025, 1, 31), 0),    # D2 31 -> 30 when D1 is 30
    (D(2025, 1, 31), D(2025, 2, 1), 1),
    (D(2025, 2, 28), D(2025, 3, 1), 3),     # no end-of-February rule for deposits
    (D(2024, 12, 31), D(2025, 12, 31), 360),
])
def test_30_360_us(start, end, days):
    assert days_30_360_us(start, end) == days
    assert year_fraction(DayCount.THIRTY_360_US, start, end) == Decimal(days) / 360


def test_30_360_us_daily_fractions_give_thirty_days_every_month():
    for year in (2024, 2025):
        for month in range(1, 13):
            day, total = D(year, month, 1), 0
            while day.month == month:
                total += days_30_360_us(day, day + datetime.timedelta(days=1))
                day += datetime.timedelta(days=1)
            assert total == 30, (year, month)


def test_daily_fraction_in_and_out_of_a_leap_year():
    assert daily_fraction(DayCount.ACT_ACT_ISDA, D(2024, 2, 29)) == Decimal(1) / 366
    assert daily_fraction(DayCount.ACT_ACT_ISDA, D(2023, 12, 31)) == Decimal(1) / 365
    assert daily_fraction(DayCount.ACT_365_FIXED, D(2024, 2, 29)) == Decimal(1) / 365
    assert daily_fraction(DayCount.ACT_360, D(2024, 2, 29)) == Decimal(1) / 360
    assert daily_fraction(DayCount.THIRTY_360_US, D(2024, 2, 29)) == Decimal(2) / 360


def test_a_period_cannot_end_before_it_starts():
    with pytest.raises(ValueError, match="ends before"):
        year_fraction(DayCount.ACT_360, D(2025, 1, 2), D(2025, 1, 1))


def test_on_30_360_the_30th_of_a_31_day_month_accrues_nothing_and_the_31st_one_day():
    # as docs/accounts.md and daycount.py say: every calendar month still accrues exactly 30 days
    assert daily_fraction(DayCount.THIRTY_360_US, D(2027, 1, 30)) == 0
    assert daily_fraction(DayCount.THIRTY_360_US, D(2027, 1, 31)) == Decimal(1) / 360
    assert daily_fraction(DayCount.THIRTY_360_US, D(2027, 4, 30)) == Decimal(1) / 360


@pytest.mark.parametrize(("start", "end", "days"), [
    (D(2025, 1, 31), D(2025, 2, 28), 30),   # month end to month end is a whole month
    (D(2025, 2, 28), D(2025, 3, 31), 30),   # US 30/360 counts 33 here
    (D(2024, 2, 29), D(2024, 3, 31), 30),
    (D(2024, 2, 28), D(2024, 2, 29), 2),    # the leap February's 29th is its 30th day
    (D(2025, 1, 15), D(2025, 2, 15), 30),
    (D(2025, 1, 30), D(2025, 1, 31), 0),
    (D(2025, 1, 31), D(2025, 2, 1), 1),
    (D(2025, 3, 10), D(2026, 3, 10), 360),
    (D(2025, 1, 1), D(2025, 1, 1), 0),
    (D(2025, 2, 28), D(2025, 3, 28), 30),   # a whole month from the 28th, though 28 February is a month end
    (D(2025, 1, 28), D(2025, 2, 28), 30),
    (D(2025, 2, 28), D(2025, 3, 29), 31),
    (D(2025, 1, 15), D(2025, 3, 10), 55),
    (D(2024, 12, 31), D(2025, 1, 1), 1),
])
def test_30_day_months(start, end, days):
    assert days_30_day_months(start, end) == days
    assert year_fraction(DayCount.THIRTY_360_MONTHS, start, end) == Decimal(days) / 360


def test_30_day_months_give_every_calendar_month_thirty_days_day_by_day():
    for year in (2024, 2025):
        for month in range(1, 13):
            day, total = D(year, month, 1), 0
            while day.month == month:
                assert daily_fraction(DayCount.THIRTY_360_MONTHS, day) == Decimal(
                    days_30_day_months(day, day + datetime.timedelta(days=1))) / 360
                total += days_30_day_months(day, day + datetime.timedelta(days=1))
                day += datetime.timedelta(days=1)
            assert total == 30, (year, month)


def test_30_day_months_make_whole_months_twelfths_of_a_year():
    start = D(2025, 1, 31)
    for months, end in enumerate([D(2025, 2, 28), D(2025, 3, 31), D(2025, 4, 30), D(2025, 5, 31)], start=1):
        assert year_fraction(DayCount.THIRTY_360_MONTHS, start, end) == Decimal(months) / 12
