import pytest

from apps.accounts.account_numbers import (
    InvalidAccountNumber,
    account_number,
    is_valid_account_number,
    validate_account_number,
)


def test_generated_numbers_pass_the_mod_97_check():
    number = account_number(bank_code="OGPGY", serial=123, country="PT")
    assert number.startswith("PT") and number[4:8] == "OGPG" and number.endswith("000000000123")
    assert is_valid_account_number(number)


def test_a_known_iban_validates_with_the_same_algorithm():
    # ISO 13616's own example (GB): proves the check, not our format
    from apps.accounts.account_numbers import _as_digits

    iban = "GB82WEST12345698765432"
    assert int(_as_digits(iban[4:] + iban[:4])) % 97 == 1


def test_any_single_mistyped_digit_is_caught():
    number = account_number(bank_code="OGPGY", serial=4711, country="PT")
    for position in range(4, len(number)):
        if number[position].isdigit():
            wrong = str((int(number[position]) + 1) % 10)
            assert not is_valid_account_number(number[:position] + wrong + number[position + 1:])


def test_validation_normalizes_spaces_and_case():
    number = account_number(bank_code="OGPGY", serial=9, country="PT")
    spaced = " ".join(number[i:i + 4] for i in range(0, len(number), 4)).lower()
    assert validate_account_number(spaced) == number
    with pytest.raises(InvalidAccountNumber):
        validate_account_number(number[:-1] + ("0" if number[-1] != "0" else "1"))
