"""The fee and the limits of an internal transfer, from the schedules staff keep in the admin.

Which fee schedule and which limit apply, and what counts toward the day's total, are the functions below; the
transfer reads them through the ORM with these functions, and on PostgreSQL in one statement that mirrors them
(``apps/payments/services/transfers/facts.pg.sql``); ``apps/payments/tests/test_transfer_rules.py`` checks each
rule over both.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import F, Q, QuerySet

from apps.customers.models import Customer
from apps.ledger.sums import AmountSum
from apps.money import Money, MoneyError
from apps.payments.errors import LimitExceeded
from apps.payments.models import CustomerTier, FeeSchedule, Transfer, TransferLimit


def ensure_positive_amount(money: Money, *, of: str = "transfer") -> None:
    """Refuse a transfer or payment (``of``) of nothing, or of less than nothing."""
    if not money.is_positive:
        raise MoneyError(f"A {of} amount must be positive.", code="amount_not_positive")


def customer_tier(customer: Customer) -> str:
    """The tier whose limits apply to a customer's transfers: premium for a premium customer, else standard."""
    return CustomerTier.PREMIUM if customer.is_premium else CustomerTier.STANDARD


def _most_specific_first(lines: QuerySet, *, product_id: int) -> QuerySet:
    """The product's own lines before the default lines (no product), the oldest first among each."""
    return lines.filter(Q(product_id=product_id) | Q(product__isnull=True)).order_by(
        F("product_id").asc(nulls_last=True), "id")


def applicable_fee_schedule(*, product_id: int, channel: str, currency: str) -> FeeSchedule | None:
    """The fee schedule of a transfer: the active schedule for its channel and currency of the payer's product,
    else the active default schedule (no product) for them; none: no fee."""
    return _most_specific_first(FeeSchedule.objects.filter(channel=channel, currency=currency, is_active=True),
                                product_id=product_id).first()


def applicable_transfer_limit(*, product_id: int, tier: str, currency: str) -> TransferLimit | None:
    """The limit of a transfer: the line for the payer's tier and the currency of the payer's product, else the
    default line (no product) for them; none: no limit."""
    return _most_specific_first(TransferLimit.objects.filter(customer_tier=tier, currency=currency),
                                product_id=product_id).first()


def transfers_counting_toward_daily_limit(*, account_id: int, business_date: datetime.date) -> QuerySet[Transfer]:
    """What counts toward the day's total: every transfer from the account on the business date that was not
    rejected (completed, and held for review: a held transfer may still go)."""
    return Transfer.objects.filter(from_account_id=account_id, business_date=business_date).exclude(
        status=Transfer.Status.REJECTED)


def spent_on(*, account_id: int, business_date: datetime.date) -> Decimal:
    return transfers_counting_toward_daily_limit(account_id=account_id, business_date=business_date).aggregate(
        total=AmountSum("amount"))["total"] or Decimal("0")


def fee_for(schedule: FeeSchedule | None, money: Money) -> Money:
    """The fee a schedule charges on ``money``: fixed fee plus percentage of the amount, kept within the
    schedule's minimum and maximum, rounded to the currency's minor unit (banker's rounding). No schedule: no
    fee. (Which schedule applies: ``applicable_fee_schedule``.)"""
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
