"""The fee and the limits of an internal transfer, from the schedules staff keep in the admin."""

from __future__ import annotations

from decimal import Decimal

from apps.money import Money
from apps.payments.errors import LimitExceeded
from apps.payments.models import FeeSchedule, TransferLimit


def fee_for(schedule: FeeSchedule | None, money: Money) -> Money:
    """The fee a schedule charges on ``money``: fixed fee plus percentage of the amount, kept within the
    schedule's minimum and maximum, rounded to the currency's minor unit (banker's rounding). No schedule: no
    fee. (Which schedule applies, the product's own line or the default one, is read in
    ``apps.payments.transfer_facts``.)"""
    if schedule is None:
        return Money.zero(money.currency)
    fee = schedule.fixed_fee + money.amount * schedule.percentage
    fee = max(fee, schedule.minimum_fee)
    if schedule.maximum_fee is not None:
        fee = min(fee, schedule.maximum_fee)
    return Money.rounded(fee, money.currency)


def ensure_within_limits(*, limit: TransferLimit | None, money: Money, spent_today: Decimal) -> None:
    """Refuse a transfer above the per-transaction limit, or one that takes the day's total past the daily limit.
    The caller holds the payer account's row lock, so concurrent transfers cannot each see the same total."""
    if limit is None:
        return
    if money.amount > limit.per_transaction:
        raise LimitExceeded(f"{money} is above the limit of {limit.per_transaction} {money.currency} per transfer.",
                            code="transaction_limit_exceeded")
    if spent_today + money.amount > limit.per_day:
        raise LimitExceeded(
            f"{money} would take today's transfers to {spent_today + money.amount} {money.currency}, above the "
            f"daily limit of {limit.per_day}.", code="daily_limit_exceeded")
