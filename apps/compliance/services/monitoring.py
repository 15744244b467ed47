"""Monitoring after the fact: record each money movement the outbox delivers, and evaluate it with the
library's real-time typologies (the end of day evaluates the window typologies: services/end_of_day.py)."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, OuterRef, QuerySet, Subquery
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
    """The customer's risk rating and what they declared, in one statement."""
    expected = ExpectedActivity.objects.filter(customer_id=OuterRef("pk"))
    facts = Customer.objects.filter(pk=customer_id).values("risk_rating").annotate(
        income=Subquery(expected.values("declared_monthly_income")[:1]),
        turnover=Subquery(expected.values("expected_monthly_turnover")[:1]),
        activity=Subquery(expected.values("business_activity")[:1])).first() or {}
    return CustomerContext(customer_id=customer_id, risk_rating=facts.get("risk_rating") or "low",
                           declared_monthly_income=facts.get("income"),
                           expected_monthly_turnover=facts.get("turnover"),
                           business_activity=facts.get("activity") or "")


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
    return _record(payload)


def _record(payload: Mapping[str, Any]) -> list[MonitoredTransaction]:
    """Two statements for a new event: the rows recorded already (a redelivery), then one INSERT of the rest.
    (Two deliveries of one event never run at once: the outbox's claim; were they to, the second would fail
    on monitored_once_per_leg and the outbox would deliver it again, finding the rows.)"""
    existing = {(r.account_id, r.direction): r for r in MonitoredTransaction.objects.filter(
        entry_id=payload["entry_id"])}
    for row in existing.values():
        row.recorded_before = True  # an event delivered again: the row may have failures to resolve
    new = [row for row in new_rows_of(payload, idle_days=_idle_days)
           if (row.account_id, row.direction) not in existing]
    if new:
        MonitoredTransaction.objects.bulk_create(new)  # one INSERT; the ids come back (RETURNING; SQLite too)
        created = {(r.account_id, r.direction): r for r in new}
        if any(r.pk is None for r in new):  # a database that returns no ids from a bulk insert
            created = {(r.account_id, r.direction): r for r in MonitoredTransaction.objects.filter(
                entry_id=payload["entry_id"])}
        existing.update(created)
    return [existing[(leg["account_id"], leg["direction"])] for leg in payload["legs"]]


def new_rows_of(payload: Mapping[str, Any], *, idle_days) -> list[MonitoredTransaction]:
    """The unsaved MonitoredTransaction of each leg of a ``money.moved`` event (``recorded_before`` False);
    ``idle_days(account_id=, occurred_at=, given=)`` counts the account's idle days when the leg gives none."""
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
        row = MonitoredTransaction(
            entry_id=payload["entry_id"], account_id=leg["account_id"], direction=leg["direction"],
            kind=kind, channel=CHANNEL_OF_KIND[kind], customer_id=leg["customer_id"],
            branch_id=payload.get("branch_id"), amount=Decimal(leg["amount"]), currency=payload["currency"],
            counterparty_key=key[:80], counterparty_name=(counterparty.get("name") or "")[:200],
            counterparty_account_id=other_account, counterparty_iban=counterparty.get("iban") or "",
            counterparty_country=counterparty.get("country") or "", business_date=business_date,
            occurred_at=occurred_at,
            account_idle_days=idle_days(account_id=leg["account_id"], occurred_at=occurred_at,
                                        given=leg.get("idle_days")))
        row.recorded_before = False
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
                         pairs: list[tuple[Typology, TypologySetting]] | None = None,
                         context: CustomerContext | None = None, mark: bool = True) -> int:
    """Run every real-time typology set for the row's currency over the row and the history before it; raise
    an alert for each finding the row triggers. Returns the number of alerts raised (or found raised).

    A typology that raises, or whose alerts fail to be written, is recorded as an ``EvaluationFailure`` and
    the row stays unevaluated for the retry (``evaluate_unevaluated_transactions``, ``retry=True``), while the
    other typologies' alerts stand: each typology's alerts are written in their own savepoint, so a failure
    rolls back that typology's work alone (a scan is pure Python and writes nothing; a typology with nothing
    to raise costs no statement). Raising again is harmless: an alert is once per (setting, trigger). The row
    is marked evaluated only when every typology ran without error. Runs in the caller's transaction.
    ``pairs``, ``context``: what the caller already read (settings_for, customer_context). ``mark`` False: the
    caller marks the row evaluated itself (when ``row.evaluated_at`` is set here), with the event's others."""
    if pairs is None:
        pairs = settings_for(currency=row.currency, schedule=REALTIME)
    raised = failed = 0
    history = _history_before(row, max(t.lookback for t, _ in pairs)) if pairs else []
    by_id = {h.pk: h for h in history}
    movements = [movement_of(h) for h in history]
    if pairs and context is None:
        context = customer_context(row.customer_id)
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
        if mark:
            MonitoredTransaction.objects.filter(pk=row.pk).update(evaluated_at=now)
        if retry:  # a first evaluation has no failure to resolve
            EvaluationFailure.objects.filter(transaction=row, resolved_at__isnull=True).update(resolved_at=now)
        row.evaluated_at = now
    return raised


@transaction.atomic
def record_and_evaluate(*, payload: Mapping[str, Any]) -> list[MonitoredTransaction]:
    """The outbox subscriber's work: record the movement's rows, then evaluate those not yet evaluated. A
    typology's failure never undoes the recording (evaluate_transaction keeps it in a savepoint)."""
    rows = _record(payload)
    pending = [row for row in rows if row.evaluated_at is None]
    if not pending:
        return rows
    pairs = settings_for(currency=pending[0].currency, schedule=REALTIME)  # one currency per movement
    contexts: dict[int, CustomerContext] = {}
    for row in pending:
        if pairs and row.customer_id not in contexts:
            contexts[row.customer_id] = customer_context(row.customer_id)
        evaluate_transaction(row=row, retry=row.recorded_before, pairs=pairs, context=contexts.get(row.customer_id),
                             mark=False)
    evaluated = [row for row in pending if row.evaluated_at is not None]
    if evaluated:  # one UPDATE for the event's rows
        MonitoredTransaction.objects.filter(pk__in=[row.pk for row in evaluated]).update(
            evaluated_at=evaluated[-1].evaluated_at)
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
