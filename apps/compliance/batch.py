"""Evaluating the typology library over many movements at once: the backtest, ``bench/aml.py`` and the
synthetic scenarios' tests.

``evaluate`` takes movements of any customers in any currencies and the settings to run (typology, currency,
typed parameters), groups them by (customer, currency), sorts each group once by time and runs each setting
of the group's currency over each group: the same ``scan`` the near-real-time path and the end of day run, so
a backtest shows what production would have raised. Pure Python.

``load_movements`` is the one place here that reads the database: it streams the ``MonitoredTransaction`` rows
of a date range as ``Movement`` objects (``values()``, a server-side cursor on PostgreSQL, in chunks), and
``load_contexts`` reads what the customers declared, in one query per table.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from apps.compliance.models import ExpectedActivity, MonitoredTransaction
from apps.compliance.typologies.base import CustomerContext, Finding, Movement, Typology, library, typology
from apps.customers.models import Customer

TIME_ORDER = attrgetter("occurred_at", "id")
MOVEMENT_FIELDS = ("id", "customer_id", "account_id", "direction", "channel", "kind", "amount", "currency",
                   "occurred_at", "business_date", "branch_id", "counterparty_key", "counterparty_country",
                   "account_idle_days")


@dataclass(frozen=True)
class BatchSetting:
    """One typology to run over one currency's movements with these (typed) parameters. ``key`` is the
    caller's name for it (a TypologySetting's id in a backtest)."""

    typology: Typology
    currency: str
    parameters: Mapping[str, Any]
    key: Any = None

    @classmethod
    def from_stored(cls, *, code: str, currency: str, stored: Mapping[str, Any], key: Any = None) -> BatchSetting:
        entry = typology(code)
        return cls(typology=entry, currency=currency, key=key,
                   parameters=entry.typed_parameters(entry.validated_parameters(stored)))


@dataclass(frozen=True)
class BatchFinding:
    setting: BatchSetting
    finding: Finding
    currency: str
    business_date: datetime.date  # the trigger's


@dataclass
class BatchResult:
    findings: list[BatchFinding] = field(default_factory=list)
    movements: int = 0
    groups: int = 0


def default_settings(currencies: Iterable[str]) -> list[BatchSetting]:
    """Every typology of the library with its default parameters, in each currency (the defaults are EUR
    figures; another currency is given the same numbers until compliance sets its own)."""
    return [BatchSetting.from_stored(code=entry.code, currency=currency, stored={})
            for currency in sorted(set(currencies)) for entry in library()]


def group_movements(movements: Iterable[Movement]) -> dict[tuple[int, str], list[Movement]]:
    """Each (customer, currency)'s movements, oldest first (by time, then id). Each movement is sorted once,
    within its group (cheaper than one sort of the whole batch, and linear when the input is in time order
    already, as the loader's and the generator's are); no typology sorts again."""
    groups: dict[tuple[int, str], list[Movement]] = defaultdict(list)
    for m in movements:
        groups[(m.customer_id, m.currency)].append(m)
    for group in groups.values():
        group.sort(key=TIME_ORDER)
    return groups


def evaluate_groups(groups: Mapping[tuple[int, str], Sequence[Movement]], settings: Sequence[BatchSetting], *,
                    contexts: Mapping[int, CustomerContext] | None = None,
                    triggered_from: datetime.date | None = None) -> BatchResult:
    """Run every setting of a group's currency over the group. Findings whose trigger's business date is
    before ``triggered_from`` are dropped (the movements before it are history the windows need)."""
    by_currency: dict[str, list[BatchSetting]] = defaultdict(list)
    for setting in settings:
        by_currency[setting.currency].append(setting)
    contexts = contexts or {}
    result = BatchResult(groups=len(groups))
    for (customer_id, currency), movements in groups.items():
        result.movements += len(movements)
        business_dates = None
        context = contexts.get(customer_id)
        for setting in by_currency.get(currency, ()):
            for finding in setting.typology.scan(movements, parameters=setting.parameters, context=context):
                if business_dates is None:
                    business_dates = {m.id: m.business_date for m in movements}
                on = business_dates[finding.trigger_id]
                if triggered_from is None or on >= triggered_from:
                    result.findings.append(BatchFinding(setting=setting, finding=finding, currency=currency,
                                                        business_date=on))
    return result


def evaluate(movements: Iterable[Movement], settings: Sequence[BatchSetting], *,
             contexts: Mapping[int, CustomerContext] | None = None,
             triggered_from: datetime.date | None = None) -> BatchResult:
    return evaluate_groups(group_movements(movements), settings, contexts=contexts, triggered_from=triggered_from)


def load_movements(*, date_from: datetime.date, date_to: datetime.date, currency: str | None = None,
                   customer_ids: Iterable[int] | None = None, chunk_size: int = 5000) -> Iterator[Movement]:
    """The monitored transactions of business dates ``date_from``..``date_to`` (inclusive), streamed in
    chunks; ``evaluate`` orders them."""
    rows = MonitoredTransaction.objects.filter(business_date__gte=date_from, business_date__lte=date_to)
    if currency is not None:
        rows = rows.filter(currency=currency)
    if customer_ids is not None:
        rows = rows.filter(customer_id__in=list(customer_ids))
    for values in rows.order_by("pk").values(*MOVEMENT_FIELDS).iterator(chunk_size=chunk_size):
        yield Movement(**values)


def load_contexts(customer_ids: Iterable[int]) -> dict[int, CustomerContext]:
    """What each customer declared (ExpectedActivity) and their risk rating: two queries for any number."""
    ids = sorted(set(customer_ids))
    risk = dict(Customer.objects.filter(pk__in=ids).values_list("pk", "risk_rating"))
    expected = {e["customer_id"]: e for e in ExpectedActivity.objects.filter(customer_id__in=ids).values(
        "customer_id", "declared_monthly_income", "expected_monthly_turnover", "business_activity")}
    contexts = {}
    for customer_id in ids:
        declared = expected.get(customer_id, {})
        contexts[customer_id] = CustomerContext(
            customer_id=customer_id, risk_rating=risk.get(customer_id) or "low",
            declared_monthly_income=declared.get("declared_monthly_income"),
            expected_monthly_turnover=declared.get("expected_monthly_turnover"),
            business_activity=declared.get("business_activity") or "")
    return contexts
