"""The parameters each kind of fraud rule takes, and their validation (admin forms and services alike)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any


class ParameterError(ValueError):
    pass


def _positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ParameterError(f"{name} must be a whole number of at least 1.")
    return value


def _positive_decimal(value: Any, name: str) -> str:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ParameterError(f"{name} must be a decimal number given as a string, e.g. \"1000.00\".") from None
    if isinstance(value, float) or not number.is_finite() or number <= 0:
        raise ParameterError(f"{name} must be a positive decimal given as a string, e.g. \"1000.00\".")
    return str(number)


def _countries(value: Any, name: str) -> list[str]:
    if not isinstance(value, list) or not value:
        raise ParameterError(f"{name} must be a non-empty list of ISO 3166-1 alpha-2 codes.")
    codes = [str(code).strip().upper() for code in value]
    if any(len(code) != 2 or not code.isalpha() for code in codes):
        raise ParameterError(f"{name} must be ISO 3166-1 alpha-2 codes such as \"KP\".")
    return sorted(set(codes))


FRAUD_RULE_PARAMETERS: dict[str, dict[str, Any]] = {
    "velocity": {"max_payments": _positive_int, "window_minutes": _positive_int},
    "unusual_amount": {"multiple": _positive_decimal, "history_size": _positive_int,
                       "minimum_history": _positive_int},
    "new_beneficiary_large_amount": {"max_age_hours": _positive_int, "amount_above": _positive_decimal},
    "high_risk_country": {"countries": _countries},
}


def validated_parameters(kind: str, parameters: Any) -> dict[str, Any]:
    """The parameters in their stored form, or ParameterError naming what is missing or wrong."""
    expected = FRAUD_RULE_PARAMETERS.get(kind)
    if expected is None:
        raise ParameterError(f"Unknown kind of rule {kind!r}.")
    if not isinstance(parameters, dict):
        raise ParameterError("Parameters must be a JSON object.")
    unknown = sorted(set(parameters) - set(expected))
    missing = sorted(set(expected) - set(parameters))
    if unknown or missing:
        raise ParameterError(f"A {kind} rule takes exactly {', '.join(sorted(expected))}"
                             f"{'; missing ' + ', '.join(missing) if missing else ''}"
                             f"{'; unknown ' + ', '.join(unknown) if unknown else ''}.")
    cleaned = {name: check(parameters[name], name) for name, check in expected.items()}
    if kind == "unusual_amount" and cleaned["minimum_history"] > cleaned["history_size"]:
        raise ParameterError("minimum_history cannot exceed history_size.")
    return cleaned
