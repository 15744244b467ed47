"""The typology library's contract: a typology is a pure function of one customer's movements.

A typology never touches the database. It is given one customer's movements in one currency, oldest first
(``Movement``: the facts of a ``MonitoredTransaction``), its parameters for that currency, and what the customer
declared (``CustomerContext``), and returns the patterns it found (``Finding``). The same ``scan`` serves every
caller:

- the near-real-time path (after a movement commits) scans the movement with the ``lookback`` before it and
  keeps the findings whose trigger is that movement;
- the end of day scans each customer's window ending on the business date and keeps the findings triggered on
  it;
- a backtest scans a past date range; the test vectors and ``bench/aml.py`` scan lists built in memory.

A finding's ``trigger_id`` is the movement at which the pattern became complete. A typology raises one finding
per pattern, not one per later movement that still fits it: it keeps quiet until the pattern has started over.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

REALTIME = "realtime"
END_OF_DAY = "end_of_day"


@dataclass(frozen=True, slots=True)
class Movement:
    id: int
    customer_id: int
    account_id: int
    direction: str  # "in" | "out"
    channel: str  # "cash" | "internal" | "external" | "loan"
    kind: str  # MovementKind value
    amount: Decimal
    currency: str
    occurred_at: datetime.datetime  # aware
    business_date: datetime.date
    branch_id: int | None = None
    counterparty_key: str = ""
    counterparty_country: str = ""
    account_idle_days: int | None = None


@dataclass(frozen=True, slots=True)
class CustomerContext:
    customer_id: int
    risk_rating: str = "low"
    declared_monthly_income: Decimal | None = None
    expected_monthly_turnover: Decimal | None = None
    business_activity: str = ""


@dataclass(frozen=True)
class Finding:
    typology: str
    customer_id: int
    trigger_id: int
    movement_ids: tuple[int, ...]  # the movements that make the pattern, the trigger among them
    score: int  # 0-100
    summary: str  # in words, for the officer
    facts: dict[str, Any] = field(default_factory=dict)  # JSON-able: amounts as strings


@dataclass(frozen=True)
class Parameter:
    """One threshold: ``kind`` is "amount" (in the setting's currency), "integer", "hours", "days", "ratio"
    (a decimal multiple) or "countries" (ISO alpha-2 codes)."""

    name: str
    kind: str
    label: str
    default: Any


class ParameterError(ValueError):
    pass


class Typology:
    code: ClassVar[str]
    version: ClassVar[int]
    name: ClassVar[str]
    description: ClassVar[str]
    schedule: ClassVar[str]  # REALTIME or END_OF_DAY
    lookback: ClassVar[datetime.timedelta]  # the history before a movement that ``scan`` needs
    parameters: ClassVar[tuple[Parameter, ...]]
    default_risk_score: ClassVar[int] = 50

    def scan(self, movements: Sequence[Movement], *, parameters: Mapping[str, Any],
             context: CustomerContext | None = None) -> list[Finding]:
        raise NotImplementedError

    def default_parameters(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.parameters}

    def validated_parameters(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """The parameters as stored (JSON: amounts and ratios as strings), complete and checked; raises
        ParameterError naming the first bad one. Unknown names are refused."""
        known = {p.name: p for p in self.parameters}
        unknown = sorted(set(raw) - set(known))
        if unknown:
            raise ParameterError(f"Unknown parameter(s) for {self.code}: {', '.join(unknown)}.")
        clean: dict[str, Any] = {}
        for name, spec in known.items():
            value = raw.get(name, spec.default)
            clean[name] = _validated(spec, value)
        return clean

    def typed_parameters(self, stored: Mapping[str, Any]) -> dict[str, Any]:
        """Stored parameters as the scan uses them: amounts and ratios as Decimal, countries as a frozenset."""
        typed: dict[str, Any] = {}
        for spec in self.parameters:
            value = stored.get(spec.name, spec.default)
            if spec.kind in ("amount", "ratio"):
                typed[spec.name] = Decimal(str(value))
            elif spec.kind == "countries":
                typed[spec.name] = frozenset(value)
            else:
                typed[spec.name] = int(value)
        return typed


def _validated(spec: Parameter, value: Any) -> Any:
    if spec.kind in ("amount", "ratio"):
        try:
            number = Decimal(str(value))
        except Exception as error:
            raise ParameterError(f"{spec.label}: {value!r} is not a number.") from error
        if not number.is_finite() or number <= 0:
            raise ParameterError(f"{spec.label}: must be above zero.")
        return str(number)
    if spec.kind == "countries":
        if not isinstance(value, list | tuple) or not all(isinstance(c, str) and len(c) == 2 and c.isalpha()
                                                           for c in value):
            raise ParameterError(f"{spec.label}: a list of ISO 3166-1 alpha-2 codes.")
        return sorted({c.upper() for c in value})
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ParameterError(f"{spec.label}: a whole number.")
    try:
        number = int(value)
    except ValueError as error:
        raise ParameterError(f"{spec.label}: {value!r} is not a whole number.") from error
    if number < 1:
        raise ParameterError(f"{spec.label}: at least 1.")
    return number


_LIBRARY: dict[str, Typology] = {}


def register(typology_class: type[Typology]) -> type[Typology]:
    _LIBRARY[typology_class.code] = typology_class()
    return typology_class


def library() -> list[Typology]:
    return [_LIBRARY[code] for code in sorted(_LIBRARY)]


def typology(code: str) -> Typology:
    return _LIBRARY[code]


def max_lookback(schedule: str) -> datetime.timedelta:
    return max((t.lookback for t in _LIBRARY.values() if t.schedule == schedule), default=datetime.timedelta(0))
