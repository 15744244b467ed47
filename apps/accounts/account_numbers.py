"""Account numbers: IBAN-style, ``CCkk BBBB SSSSSSSSSSSS`` with ISO 13616 mod-97 check digits ``kk``.

CC is the country (ACCOUNT_NUMBER_COUNTRY), BBBB the bank's code (its first four letters or digits), and the
serial is twelve digits. As in an IBAN, moving the first four characters to the end and reading letters as
numbers (A=10 ... Z=35) gives a number whose remainder modulo 97 is 1, so any single mistyped character and
most swaps of two characters are caught before the number reaches the database.
"""

from __future__ import annotations

import re

from django.conf import settings

from apps.domain_errors import DomainError

NUMBER_PATTERN = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{4}[0-9]{12}$")


class InvalidAccountNumber(DomainError):
    code = "invalid_account_number"
    title = "Invalid account number"
    status = 400


def _as_digits(text: str) -> str:
    return "".join(str(int(char, 36)) for char in text)


def check_digits(country: str, bban: str) -> str:
    remainder = int(_as_digits(bban + country + "00")) % 97
    return f"{98 - remainder:02d}"


def normalize(number: str) -> str:
    return "".join(number.split()).upper()


def is_valid_account_number(number: str) -> bool:
    number = normalize(number)
    if not NUMBER_PATTERN.match(number):
        return False
    return int(_as_digits(number[4:] + number[:4])) % 97 == 1


def validate_account_number(number: str) -> str:
    """The normalized number, or InvalidAccountNumber (for API input and admin forms)."""
    normalized = normalize(number)
    if not is_valid_account_number(normalized):
        raise InvalidAccountNumber(f"{number!r} is not a valid account number (check digits do not match).")
    return normalized


def bank_identifier(bank_code: str) -> str:
    letters = re.sub(r"[^A-Z0-9]", "", bank_code.upper())
    return (letters + "0000")[:4]


def account_number(*, bank_code: str, serial: int, country: str | None = None) -> str:
    country = (country or settings.ACCOUNT_NUMBER_COUNTRY).upper()
    bban = f"{bank_identifier(bank_code)}{serial:012d}"
    return f"{country}{check_digits(country, bban)}{bban}"


def formatted(number: str) -> str:
    """The number in groups of four, as printed on statements and receipts."""
    return " ".join(number[i:i + 4] for i in range(0, len(number), 4))
