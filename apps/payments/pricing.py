"""The fee and the limits of an internal transfer, from the schedules staff keep in the admin."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q

from apps.ledger.money import Money
from apps.payments.errors import LimitExceeded
from apps.payments.models import CustomerTier, FeeSchedule, TransferLimit


def _for_product(product_id: int) -> Q:
    return Q(product_id=product_id) | Q(product__isnull=True)


def _most_specific(rows, product_id):
    """The product's own line if there is one, else the default line (no product)."""
    rows = list(rows)
    return next((r for r in rows if r.product_id == product_id), None) or next(
        (r for r in rows if r.product_id is None), None)


def transfer_fee(*, product_id: int, channel: str, money: Money) -> Money:
    """Fixed fee plus percentage of the amount, kept within the schedule's minimum and maximum, rounded to the
    currency's minor unit (banker's rounding). No schedule: no fee."""
    schedule = _most_specific(
        FeeSchedule.objects.filter(_for_product(product_id), channel=channel, currency=money.currency,
                                   is_active=True),
        product_id,
    )
    if schedule is None:
        return Money.zero(money.currency)
    fee = schedule.fixed_fee + money.amount * schedule.percentage
    fee = max(fee, schedule.minimum_fee)
    if schedule.maximum_fee is not None:
        fee = min(fee, schedule.maximum_fee)
    return Money.rounded(fee, money.currency)


def transfer_limit(*, product_id: int, is_premium: bool, currency: str) -> TransferLimit | None:
    tier = CustomerTier.PREMIUM if is_premium else CustomerTier.STANDARD
    return _most_specific(
        TransferLimit.objects.filter(_for_product(product_id), customer_tier=tier, currency=currency),
        product_id,
    )


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
