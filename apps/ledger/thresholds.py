"""Amount thresholds per currency: the lookup behind every control that compares an amount with a limit.

A threshold is an amount in one currency: 1,000 EUR and 1,000 JPY are not the same payment or the same cash at the
counter, so each setting maps a currency to its amount (``_amounts_by_currency`` in config/settings.py reads them)
and an amount is compared with its own currency's. A currency the bank did not give an amount has none below which
an amount passes: every amount in it is above the threshold (the safe side for a control: a new currency is never
waved through until someone sets its amount). Used by the payment rules (apps/payments/thresholds.py) and the
teller cash limits (apps/accounts/services/teller.py).
"""

from __future__ import annotations

from decimal import Decimal

from apps.money import Money


def threshold(amounts: dict[str, str], currency: str) -> Decimal | None:
    """The currency's amount in ``amounts``, or None when the bank set none for it."""
    amount = amounts.get(currency)
    return None if amount is None else Decimal(str(amount))


def is_above(money: Money, limit: Decimal | None) -> bool:
    """Whether ``money`` is above the threshold of its currency; with no threshold for it, every amount is."""
    return limit is None or money.amount > limit
