"""Amount thresholds of the payment rules, per currency.

A threshold is an amount in one currency: 1,000 EUR and 1,000 JPY are not the same payment, so each setting maps
a currency to its amount (``BENEFICIARY_COOLING_OFF_AMOUNTS``, ``STAFF_PAYMENT_APPROVAL_THRESHOLDS``; the format
and the defaults are in config/settings.py) and a payment is compared with its own currency's. A currency the
bank did not give an amount has none below which a payment passes: every payment in it is above the threshold
(the safe side for a control: a new currency is never waved through until someone sets its amount).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings

from apps.ledger.money import Money


def threshold(amounts: dict[str, str], currency: str) -> Decimal | None:
    """The currency's amount in ``amounts``, or None when the bank set none for it."""
    amount = amounts.get(currency)
    return None if amount is None else Decimal(str(amount))


def is_above(money: Money, limit: Decimal | None) -> bool:
    """Whether ``money`` is above the threshold of its currency; with no threshold for it, every amount is."""
    return limit is None or money.amount > limit


def cooling_off_amount(currency: str) -> Decimal | None:
    """Payments above it to a beneficiary in its cooling-off period are refused."""
    return threshold(settings.BENEFICIARY_COOLING_OFF_AMOUNTS, currency)


def staff_approval_threshold(currency: str) -> Decimal | None:
    """Payments staff initiate above it wait for a checker."""
    return threshold(settings.STAFF_PAYMENT_APPROVAL_THRESHOLDS, currency)
