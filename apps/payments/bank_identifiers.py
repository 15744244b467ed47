"""Another bank's identifiers on an outgoing payment: the creditor's IBAN (ISO 13616: its country's length and
BBAN layout, mod-97 check digits) and, when given, the creditor bank's BIC (ISO 9362). schwifty keeps the
per-country IBAN registry; a payment that fails here is refused before anything is written."""

from __future__ import annotations

from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from apps.payments.errors import InvalidBic, InvalidIban


def validate_iban(value: str) -> str:
    """The IBAN in its compact form (no spaces, upper case), or InvalidIban."""
    try:
        return IBAN(value).compact
    except (SchwiftyException, ValueError, TypeError):
        raise InvalidIban(f"{value[:40]!r} is not a valid IBAN.") from None


def validate_bic(value: str) -> str:
    """The BIC in upper case (8 or 11 characters), or InvalidBic."""
    try:
        return str(BIC(value))
    except (SchwiftyException, ValueError, TypeError):
        raise InvalidBic(f"{value[:40]!r} is not a valid BIC.") from None
