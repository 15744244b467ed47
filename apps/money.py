"""Money: a Decimal amount in an ISO 4217 currency, quantized to the currency's minor unit.

Rules:
- an amount is built from a Decimal, an int or a string, never from a float;
- NaN and infinity are refused;
- ``Money(...)`` refuses an amount with more decimals than the currency has (a caller that wants rounding
  says so with ``Money.rounded(...)``, which rounds with the documented mode: banker's rounding,
  ``ROUND_HALF_EVEN``, by default, overridable per call or with the MONEY_ROUNDING setting);
- arithmetic and comparison between two currencies is refused.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings

from apps.domain_errors import DomainError

# ISO 4217 minor units of the currencies this bank may hold. A currency not listed is refused.
MINOR_UNITS: dict[str, int] = {
    "EUR": 2, "USD": 2, "GBP": 2, "CHF": 2, "SEK": 2, "NOK": 2, "DKK": 2, "PLN": 2, "CZK": 2, "HUF": 2,
    "RON": 2, "BGN": 2, "CAD": 2, "AUD": 2, "NZD": 2, "CNY": 2, "HKD": 2, "SGD": 2, "INR": 2, "BRL": 2,
    "MXN": 2, "ZAR": 2, "TRY": 2, "ILS": 2, "AED": 2, "SAR": 2, "MAD": 2, "NGN": 2, "KES": 2, "PHP": 2,
    "JPY": 0, "KRW": 0, "ISK": 0, "CLP": 0, "VND": 0, "XOF": 0, "XAF": 0, "UGX": 0,
    "BHD": 3, "KWD": 3, "OMR": 3, "JOD": 3, "TND": 3, "LYD": 3, "IQD": 3,
}
CURRENCY_CHOICES = [(code, code) for code in sorted(MINOR_UNITS)]

# One context for all money arithmetic: 34 significant digits is far beyond any balance we store.
MONEY_CONTEXT = decimal.Context(prec=34, rounding=decimal.ROUND_HALF_EVEN, traps=[decimal.InvalidOperation])
ROUNDING_MODES = {decimal.ROUND_HALF_EVEN, decimal.ROUND_HALF_UP, decimal.ROUND_DOWN, decimal.ROUND_UP}


class MoneyError(DomainError):
    code = "invalid_amount"
    title = "Invalid amount"
    status = 400


class CurrencyMismatch(MoneyError):
    code = "currency_mismatch"
    title = "Currencies do not match"


def minor_unit(currency: str) -> int:
    try:
        return MINOR_UNITS[currency]
    except KeyError:
        raise MoneyError(f"Unknown or unsupported currency {currency!r}.", code="unknown_currency") from None


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_unit(currency))


def to_decimal(value: Any) -> Decimal:
    """A finite Decimal from a Decimal, int or string; floats are refused because they are not exact."""
    if isinstance(value, bool | float):
        raise MoneyError("Amounts must be given as strings or decimals, never as floating point numbers.")
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, str):
        try:
            amount = Decimal(value.strip())
        except decimal.InvalidOperation:
            raise MoneyError(f"{value!r} is not a number.") from None
    else:
        raise MoneyError(f"Cannot read an amount from {type(value).__name__}.")
    if not amount.is_finite():
        raise MoneyError("Amounts must be finite numbers.")
    return amount


def default_rounding() -> str:
    return getattr(settings, "MONEY_ROUNDING", decimal.ROUND_HALF_EVEN)


def round_to_currency(amount: Decimal, currency: str, rounding: str | None = None) -> Decimal:
    mode = rounding or default_rounding()
    if mode not in ROUNDING_MODES:
        raise ValueError(f"Unsupported rounding mode {mode}")
    return amount.quantize(quantum(currency), rounding=mode, context=MONEY_CONTEXT)


def to_minor_unit(amount: Decimal, currency: str) -> Decimal:
    """A sum of stored amounts (``ledger.sums.AmountSum``) with exactly the currency's decimal places: 117.37, not
    117.3700 or 117.369999999999. Stored amounts are whole minor units, so this only drops zeros; a sum that is not
    (an amount written around ``Money``, by raw SQL) keeps its digits, so a check shows it instead of rounding it
    away."""
    quantized = amount.quantize(quantum(currency), context=MONEY_CONTEXT)
    return quantized if quantized == amount else amount


def format_amount(amount: Decimal, currency: str) -> str:
    """How people read an amount: its currency's decimals, a thousands separator and the code ("1,234.50 EUR",
    "-0.10 EUR", "1,500 JPY"). Never a float; a sum with more digits than the currency has (``to_minor_unit``
    keeps them so a check shows them) is shown with them rather than rounded away."""
    shown = to_minor_unit(to_decimal(amount), currency)
    places = max(minor_unit(currency), -shown.as_tuple().exponent)
    return f"{shown:,.{places}f} {currency}"


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __init__(self, amount: Any, currency: str) -> None:
        value = to_decimal(amount)
        exponent = -minor_unit(currency)
        if value.as_tuple().exponent < exponent and value != value.quantize(quantum(currency)):
            raise MoneyError(
                f"{currency} amounts have at most {-exponent} decimal places; got {value}.",
                code="too_many_decimals",
            )
        object.__setattr__(self, "amount", value.quantize(quantum(currency), context=MONEY_CONTEXT))
        object.__setattr__(self, "currency", currency)

    @classmethod
    def rounded(cls, amount: Any, currency: str, rounding: str | None = None) -> Money:
        """Round a full-precision amount (interest, a percentage fee) to the currency's minor unit."""
        return cls(round_to_currency(to_decimal(amount), currency, rounding), currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    def _same_currency(self, other: Any) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"Cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"Cannot combine {self.currency} with {other.currency}.")
        return other

    def __add__(self, other: Money) -> Money:
        return Money(self.amount + self._same_currency(other).amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money(self.amount - self._same_currency(other).amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        return self.amount < self._same_currency(other).amount

    def __le__(self, other: Money) -> bool:
        return self.amount <= self._same_currency(other).amount

    def __gt__(self, other: Money) -> bool:
        return self.amount > self._same_currency(other).amount

    def __ge__(self, other: Money) -> bool:
        return self.amount >= self._same_currency(other).amount

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"

    @property
    def is_positive(self) -> bool:
        return self.amount > 0
