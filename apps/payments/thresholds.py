"""Amount thresholds of the payment rules, per currency.

Each setting maps a currency to its amount (``BENEFICIARY_COOLING_OFF_AMOUNTS``,
``STAFF_PAYMENT_APPROVAL_THRESHOLDS``; the format and the defaults are in config/settings.py) and a payment is
compared with its own currency's amount with ``apps.ledger.thresholds.is_above``: a currency the bank did not give
an amount has none below which a payment passes (see that module).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings

from apps.ledger.thresholds import threshold


def cooling_off_amount(currency: str) -> Decimal | None:
    """Payments above it to a beneficiary in its cooling-off period are refused."""
    return threshold(settings.BENEFICIARY_COOLING_OFF_AMOUNTS, currency)


def staff_approval_threshold(currency: str) -> Decimal | None:
    """Payments staff initiate above it wait for a checker."""
    return threshold(settings.STAFF_PAYMENT_APPROVAL_THRESHOLDS, currency)
