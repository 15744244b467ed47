"""Monitoring after the fact: record each money movement the outbox delivers, and evaluate it with the
library's real-time typologies (the end of day evaluates the window typologies: services/end_of_day.py)."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from apps.compliance.models import EvaluationFailure, ExpectedActivity, MonitoredTransaction, TypologySetting
from apps.compliance.models.monitoring import CHANNEL_OF_KIND, EvaluationSchedule, MovementKind
from apps.compliance.services.alerts import raise_alert
from apps.compliance.typologies.base import REALTIME, CustomerContext, Movement, Typology, library
from apps.customers.models import Customer

logger = logging.getLogger(__name__)


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
        row, created = MonitoredTransaction.objects.get_or_create(
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
        row.recorded_before = not created  # an event delivered again: the row may have failures to resolve
        rows.append(row)
    return rows


def settings_for(*, currency: str, schedule: str) -> list[tuple[Any, TypologySetting]]:
    """(typology, setting) for each enabled setting in the currency whose typology runs on ``schedule``."""
    by_code = {t.code: t for t in library() if t.schedule == schedule}
    return [(by_code[s.typology], s) for s in TypologySetting.objects.filter(
        currency=currency, is_enabled=True, typology__in=by_code).order_by("typology", "mode")]


def _history_before(row: MonitoredTransaction, lookback: datetime.timedelta) -> list[MonitoredTransaction]:
    """The customer's movements in the row's currency from ``lookback`` before it up to it (the row included,
    later rows of the same instant excluded), oldest first."""
    history = MonitoredTransaction.objects.filter(
        customer_id=row.customer_id, currency=row.currency,
        occurred_at__gte=row.occurred_at - lookback, occurred_at__lte=row.occurred_at,
    ).order_by("occurred_at", "id")
    return [h for h in history if h.occurred_at < row.occurred_at or h.pk <= row.pk]


def record_failure(*, schedule: str, setting: TypologySetting, customer_id: int, business_date: datetime.date,
                   error: BaseException, row: MonitoredTransaction | None = None) -> EvaluationFailure:
    """Record (or count again) a typology's failure on one movement or one end-of-day window."""
    key = ({"transaction": row} if schedule == EvaluationSchedule.REALTIME
           else {"customer_id": customer_id, "business_date": business_date})
    now = timezone.now()
    message = f"{type(error).__name__}: {error}"[:4000]
    failure, created = EvaluationFailure.objects.get_or_create(
        schedule=schedule, setting=setting, **key,
        defaults={"typology": setting.typology, "customer_id": customer_id, "business_date": business_date,
                  "last_error": message, "last_failed_at": now})
    if not created:
        EvaluationFailure.objects.filter(pk=failure.pk).update(
            attempts=F("attempts") + 1, last_error=message, last_failed_at=now, resolved_at=None)
    return failure


def evaluate_transaction(*, row: MonitoredTransaction, retry: bool = False,
                         pairs: list[tuple[Typology, TypologySetting]] | None = None) -> int:
    """Run every real-time typology set for the row's currency over the row and the history before it; raise
    an alert for each finding the row triggers. Returns the number of alerts raised (or found raised).

    A typology that raises, or whose alerts fail to be written, is recorded as an ``EvaluationFailure`` and
    the row stays unevaluated for the retry (``evaluate_unevaluated_transactions``, ``retry=True``), while the
    other typologies' alerts stand: each typology's alerts are written in their own savepoint, so a failure
    rolls back that typology's work alone (a scan is pure Python and writes nothing; a typology with nothing
    to raise costs no statement). Raising again is harmless: an alert is once per (setting, trigger). The row
    is marked evaluated only when every typology ran without error. Runs in the caller's transaction.
    ``pairs``: the settings, when the caller already read them (settings_for)."""
    if pairs is None:
        pairs = settings_for(currency=row.currency, schedule=REALTIME)
    raised = failed = 0
    history = _history_before(row, max(t.lookback for t, _ in pairs)) if pairs else []
    by_id = {h.pk: h for h in history}
    movements = [movement_of(h) for h in history]
    context = customer_context(row.customer_id) if pairs else None
    for entry, setting in pairs:
        try:
            window = [m for m in movements if m.occurred_at >= row.occurred_at - entry.lookback]
            findings = [f for f in entry.scan(window, parameters=entry.typed_parameters(setting.parameters),
                                              context=context) if f.trigger_id == row.pk]
            if findings:
                with transaction.atomic():  # this typology's savepoint
                    for finding in findings:
                        raise_alert(finding=finding, typology=entry, setting=setting,
                                    business_date=row.business_date, transactions=by_id)
                raised += len(findings)
        except Exception as error:  # any error of the typology or its alerts: recorded and retried, never skipped
            logger.warning("Typology %s failed on monitored transaction %s: %r", entry.code, row.pk, error)
            record_failure(schedule=EvaluationSchedule.REALTIME, setting=setting, customer_id=row.customer_id,
                           business_date=row.business_date, error=error, row=row)
            failed += 1
    if not failed:
        now = timezone.now()
        MonitoredTransaction.objects.filter(pk=row.pk).update(evaluated_at=now)
        if retry:  # a first evaluation has no failure to resolve
            EvaluationFailure.objects.filter(transaction=row, resolved_at__isnull=True).update(resolved_at=now)
        row.evaluated_at = now
    return raised


@transaction.atomic
def record_and_evaluate(*, payload: Mapping[str, Any]) -> list[MonitoredTransaction]:
    """The outbox subscriber's work: record the movement's rows, then evaluate those not yet evaluated. A
    typology's failure never undoes the recording (evaluate_transaction keeps it in a savepoint)."""
    rows = record_movement(payload=payload)
    pending = [row for row in rows if row.evaluated_at is None]
    if pending:
        pairs = settings_for(currency=pending[0].currency, schedule=REALTIME)  # one currency per movement
        for row in pending:
            evaluate_transaction(row=row, retry=getattr(row, "recorded_before", False), pairs=pairs)
    return rows


def unevaluated_transactions() -> QuerySet[MonitoredTransaction]:
    return MonitoredTransaction.objects.filter(evaluated_at__isnull=True)


def evaluate_unevaluated_transactions(*, limit: int | None = 500) -> dict[str, int]:
    """The retry: evaluate again the movements recorded but not evaluated (a typology failed on them), oldest
    first, each in its own transaction. A row another worker is evaluating is skipped for now (its lock)."""
    ids = list(unevaluated_transactions().order_by("recorded_at", "id").values_list("pk", flat=True)[:limit])
    evaluated = still_failing = 0
    for row_id in ids:
        if _retry_one(row_id):
            evaluated += 1
        else:
            still_failing += 1
    return {"retried": len(ids), "evaluated": evaluated, "still_failing": still_failing}


@transaction.atomic
def _retry_one(row_id: int) -> bool:
    row = (MonitoredTransaction.objects.select_for_update(skip_locked=True)
           .filter(pk=row_id, evaluated_at__isnull=True).first())
    if row is None:  # evaluated meanwhile, or being evaluated by another worker
        return True
    evaluate_transaction(row=row, retry=True)
    return row.evaluated_at is not None
