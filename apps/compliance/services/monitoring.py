"""Monitoring after the fact: record each money movement the outbox delivers, and evaluate it with the
library's real-time typologies (the end of day evaluates the window typologies: services/end_of_day.py)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.compliance.models import ExpectedActivity, MonitoredTransaction, TypologySetting
from apps.compliance.models.monitoring import CHANNEL_OF_KIND, MovementKind
from apps.compliance.services.alerts import raise_alert
from apps.compliance.typologies.base import REALTIME, CustomerContext, Movement, library
from apps.customers.models import Customer


def movement_of(row: MonitoredTransaction) -> Movement:
    return Movement(
        id=row.pk, customer_id=row.customer_id, account_id=row.account_id, direction=row.direction,
        channel=row.channel, kind=row.kind, amount=row.amount, currency=row.currency, occurred_at=row.occurred_at,
        business_date=row.business_date, branch_id=row.branch_id, counterparty_key=row.counterparty_key,
        counterparty_country=row.counterparty_country, account_idle_days=row.account_idle_days,
    )


def customer_context(customer_id: int) -> CustomerContext:
    risk = Customer.objects.filter(pk=customer_id).values_list("risk_rating", flat=True).first() or "low"
    expected = ExpectedActivity.objects.filter(customer_id=customer_id).first()
    if expected is None:
        return CustomerContext(customer_id=customer_id, risk_rating=risk)
    return CustomerContext(customer_id=customer_id, risk_rating=risk,
                           declared_monthly_income=expected.declared_monthly_income,
                           expected_monthly_turnover=expected.expected_monthly_turnover,
                           business_activity=expected.business_activity)


def _idle_days(*, account_id: int, occurred_at: datetime.datetime, given: Any) -> int | None:
    if given is not None:
        return int(given)
    previous = (MonitoredTransaction.objects.filter(account_id=account_id, occurred_at__lt=occurred_at)
                .order_by("-occurred_at").values_list("occurred_at", flat=True).first())
    return None if previous is None else (occurred_at.date() - previous.date()).days


@transaction.atomic
def record_movement(*, payload: Mapping[str, Any]) -> list[MonitoredTransaction]:
    """One MonitoredTransaction per leg of a ``money.moved`` event (apps/ledger/money_movements.py).
    Recording an event again returns the rows recorded the first time."""
    kind = MovementKind(payload["kind"])
    occurred_at = datetime.datetime.fromisoformat(payload["occurred_at"])
    business_date = datetime.date.fromisoformat(payload["business_date"])
    legs = payload["legs"]
    counterparty = payload.get("counterparty") or {}
    rows = []
    for leg in legs:
        others = [other for other in legs if other is not leg]
        if others:  # the other side banks here
            other = others[0]
            key, other_account = f"account:{other['account_id']}", other["account_id"]
        elif counterparty.get("iban"):
            key, other_account = f"iban:{counterparty['iban']}", None
        elif counterparty.get("reference"):
            key, other_account = f"ref:{counterparty['reference']}", None
        else:
            key, other_account = "", None
        row, _ = MonitoredTransaction.objects.get_or_create(
            entry_id=payload["entry_id"], account_id=leg["account_id"], direction=leg["direction"],
            defaults={
                "kind": kind, "channel": CHANNEL_OF_KIND[kind], "customer_id": leg["customer_id"],
                "branch_id": payload.get("branch_id"), "amount": Decimal(leg["amount"]),
                "currency": payload["currency"], "counterparty_key": key[:80],
                "counterparty_name": (counterparty.get("name") or "")[:200], "counterparty_account_id": other_account,
                "counterparty_iban": counterparty.get("iban") or "",
                "counterparty_country": counterparty.get("country") or "",
                "business_date": business_date, "occurred_at": occurred_at,
                "account_idle_days": _idle_days(account_id=leg["account_id"], occurred_at=occurred_at,
                                                given=leg.get("idle_days")),
            })
        rows.append(row)
    return rows


def settings_for(*, currency: str, schedule: str) -> list[tuple[Any, TypologySetting]]:
    """(typology, setting) for each enabled setting in the currency whose typology runs on ``schedule``."""
    by_code = {t.code: t for t in library() if t.schedule == schedule}
    return [(by_code[s.typology], s) for s in TypologySetting.objects.filter(
        currency=currency, is_enabled=True, typology__in=by_code).order_by("typology", "mode")]


@transaction.atomic
def evaluate_transaction(*, row: MonitoredTransaction) -> int:
    """Run every real-time typology set for the row's currency over the row and the history before it; raise
    an alert for each finding the row triggers. Returns the number of alerts raised (or found raised)."""
    pairs = settings_for(currency=row.currency, schedule=REALTIME)
    raised = 0
    if pairs:
        lookback = max(t.lookback for t, _ in pairs)
        history = list(MonitoredTransaction.objects.filter(
            customer_id=row.customer_id, currency=row.currency,
            occurred_at__gte=row.occurred_at - lookback, occurred_at__lte=row.occurred_at,
        ).order_by("occurred_at", "id"))
        history = [h for h in history if h.occurred_at < row.occurred_at or h.pk <= row.pk]
        by_id = {h.pk: h for h in history}
        movements = [movement_of(h) for h in history]
        context = customer_context(row.customer_id)
        for entry, setting in pairs:
            window = [m for m in movements if m.occurred_at >= row.occurred_at - entry.lookback]
            params = entry.typed_parameters(setting.parameters)
            for finding in entry.scan(window, parameters=params, context=context):
                if finding.trigger_id == row.pk:
                    raise_alert(finding=finding, typology=entry, setting=setting, business_date=row.business_date,
                                transactions=by_id)
                    raised += 1
    MonitoredTransaction.objects.filter(pk=row.pk).update(evaluated_at=timezone.now())
    return raised


def record_and_evaluate(*, payload: Mapping[str, Any]) -> Iterable[MonitoredTransaction]:
    rows = record_movement(payload=payload)
    for row in rows:
        if row.evaluated_at is None:
            evaluate_transaction(row=row)
    return rows
