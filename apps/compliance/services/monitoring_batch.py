"""Monitoring in batches: one consumer takes up to a few hundred pending ``money.moved`` events at once, records
every leg in one INSERT, reads the involved customers' history in one query, evaluates each new row with the
real-time typologies exactly as the per-event path does, and marks the events delivered together
(docs/compliance/monitoring.md, "Batched delivery")."""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from pathlib import Path

from django.db import connection, transaction
from django.db.models import F, Max, OuterRef, Subquery
from django.utils import timezone

from apps.compliance.models import EvaluationFailure, ExpectedActivity, MonitoredTransaction
from apps.compliance.models.monitoring import EvaluationSchedule
from apps.compliance.services.alerts import raise_alert
from apps.compliance.services.monitoring import movement_of, new_rows_of, record_failure, settings_for
from apps.compliance.typologies.base import REALTIME, CustomerContext
from apps.customers.models import Customer
from apps.ledger.money_movements import MONEY_MOVED
from apps.outbox.models import OutboxDelivery, OutboxEvent
from apps.outbox.services import DELIVERY_LEASE, deliver_event
from apps.outbox.subscribers import subscribers_for

logger = logging.getLogger(__name__)

SUBSCRIBER = "compliance.monitor_movement"  # apps/compliance/subscribers.py: the same delivery mark
BATCH_SIZE = 200
CLAIM_SQL = (Path(__file__).resolve().parent.parent / "sql" / "claim_money_moved.pg.sql").read_text()


def claim_money_movements(*, now: datetime.datetime, limit: int) -> list[int]:
    """Claim up to ``limit`` due, pending ``money.moved`` events for DELIVERY_LEASE; returns their ids. Of two
    consumers racing (two batches, or a batch and the per-event delivery), each event goes to one."""
    lease_until = now + DELIVERY_LEASE
    if connection.vendor == "postgresql":
        return _claim_postgresql(now=now, lease_until=lease_until, limit=limit)
    return _claim_portable(now=now, lease_until=lease_until, limit=limit)


def _claim_postgresql(*, now, lease_until, limit) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(CLAIM_SQL, {"now": now, "lease_until": lease_until, "limit": limit,
                                   "event_type": MONEY_MOVED})
        return sorted(row[0] for row in cursor.fetchall())


@transaction.atomic
def _claim_portable(*, now, lease_until, limit) -> list[int]:
    """SQLite (one writer at a time): the UPDATE takes the database's write lock, so the rows it moved to our
    lease are ours until commit; they are read back by that lease's instant."""
    due = OutboxEvent.objects.filter(state=OutboxEvent.State.PENDING, event_type=MONEY_MOVED, next_attempt_at__lte=now)
    ids = list(due.order_by("pk").values_list("pk", flat=True)[:limit])
    due.filter(pk__in=ids).update(next_attempt_at=lease_until)
    return list(OutboxEvent.objects.filter(pk__in=ids, state=OutboxEvent.State.PENDING,
                                           next_attempt_at=lease_until).order_by("pk").values_list("pk", flat=True))


def customer_contexts(customer_ids) -> dict[int, CustomerContext]:
    """customer_context (services/monitoring.py) for many customers in one statement."""
    expected = ExpectedActivity.objects.filter(customer_id=OuterRef("pk"))
    facts = Customer.objects.filter(pk__in=customer_ids).values("pk", "risk_rating").annotate(
        income=Subquery(expected.values("declared_monthly_income")[:1]),
        turnover=Subquery(expected.values("expected_monthly_turnover")[:1]),
        activity=Subquery(expected.values("business_activity")[:1]))
    found = {f["pk"]: f for f in facts}
    return {i: CustomerContext(customer_id=i, risk_rating=found.get(i, {}).get("risk_rating") or "low",
                               declared_monthly_income=found.get(i, {}).get("income"),
                               expected_monthly_turnover=found.get(i, {}).get("turnover"),
                               business_activity=found.get(i, {}).get("activity") or "")
            for i in customer_ids}


def _previous_movements(payloads) -> dict[int, list[datetime.datetime]]:
    """For the legs that carry no idle_days: each account's latest movement before the batch's first instant,
    and its movements from then to the batch's last (two statements), so idle days are counted as the
    per-event path's _idle_days counts them."""
    accounts = {leg["account_id"] for p in payloads for leg in p["legs"] if leg.get("idle_days") is None}
    if not accounts:
        return {}
    instants = [datetime.datetime.fromisoformat(p["occurred_at"]) for p in payloads]
    first, last = min(instants), max(instants)
    rows = MonitoredTransaction.objects.filter(account_id__in=accounts)
    seen: dict[int, list[datetime.datetime]] = defaultdict(list)
    for account_id, latest in rows.filter(occurred_at__lt=first).values("account_id").annotate(
            latest=Max("occurred_at")).values_list("account_id", "latest"):
        seen[account_id].append(latest)
    for account_id, occurred_at in rows.filter(occurred_at__gte=first, occurred_at__lte=last).values_list(
            "account_id", "occurred_at"):
        seen[account_id].append(occurred_at)
    return seen


def _record_batch(payloads) -> list[MonitoredTransaction]:
    """Every leg of the events, each once: the rows recorded already (a redelivery) keep ``recorded_before``;
    the rest in one INSERT (ignore_conflicts: monitored_once_per_leg), then all read back in one query."""
    entry_ids = [p["entry_id"] for p in payloads]
    existing = {(r.entry_id, r.account_id, r.direction) for r in
                MonitoredTransaction.objects.filter(entry_id__in=entry_ids).only("entry_id", "account_id",
                                                                                 "direction")}
    previous = _previous_movements(payloads)
    batch_instants: dict[int, list[datetime.datetime]] = defaultdict(list)
    for p in payloads:
        for leg in p["legs"]:
            batch_instants[leg["account_id"]].append(datetime.datetime.fromisoformat(p["occurred_at"]))

    def idle_days(*, account_id, occurred_at, given):
        if given is not None:
            return int(given)
        before = [t for t in previous.get(account_id, []) + batch_instants[account_id] if t < occurred_at]
        return None if not before else (occurred_at.date() - max(before).date()).days

    new = [row for p in payloads for row in new_rows_of(p, idle_days=idle_days)
           if (row.entry_id, row.account_id, row.direction) not in existing]
    MonitoredTransaction.objects.bulk_create(new, ignore_conflicts=True)
    rows = list(MonitoredTransaction.objects.filter(entry_id__in=entry_ids).order_by("occurred_at", "id"))
    for row in rows:
        row.recorded_before = (row.entry_id, row.account_id, row.direction) in existing
    return rows


def _evaluate_batch(rows: list[MonitoredTransaction]) -> int:
    """Evaluate each row not yet evaluated as evaluate_transaction does (its history up to it, every real-time
    typology, alerts only for findings the row triggers, each typology's alerts in its own savepoint, a
    failure recorded and the row left unevaluated), the history of every involved customer read in one query.
    Returns the alerts raised."""
    pending = [row for row in rows if row.evaluated_at is None]
    pairs_of = {currency: settings_for(currency=currency, schedule=REALTIME)
                for currency in sorted({row.currency for row in pending})}
    pending = [row for row in pending if pairs_of[row.currency]] + [
        row for row in pending if not pairs_of[row.currency]]
    with_pairs = [row for row in pending if pairs_of[row.currency]]
    history: dict[tuple[int, str], list[MonitoredTransaction]] = defaultdict(list)
    contexts: dict[int, CustomerContext] = {}
    if with_pairs:
        lookback = max(t.lookback for pairs in pairs_of.values() for t, _ in pairs)
        for h in MonitoredTransaction.objects.filter(
                customer_id__in={r.customer_id for r in with_pairs}, currency__in={r.currency for r in with_pairs},
                occurred_at__gte=min(r.occurred_at for r in with_pairs) - lookback,
                occurred_at__lte=max(r.occurred_at for r in with_pairs)).order_by("occurred_at", "id"):
            history[(h.customer_id, h.currency)].append(h)
        contexts = customer_contexts(sorted({r.customer_id for r in with_pairs}))
    raised = 0
    evaluated, resolved = [], []
    for row in pending:
        pairs = pairs_of[row.currency]
        failed = 0
        if pairs:
            longest = max(t.lookback for t, _ in pairs)
            before = [h for h in history[(row.customer_id, row.currency)]
                      if row.occurred_at - longest <= h.occurred_at
                      and (h.occurred_at < row.occurred_at or (h.occurred_at == row.occurred_at and h.pk <= row.pk))]
            by_id = {h.pk: h for h in before}
            movements = [movement_of(h) for h in before]
            for entry, setting in pairs:
                try:
                    window = [m for m in movements if m.occurred_at >= row.occurred_at - entry.lookback]
                    findings = [f for f in entry.scan(window, parameters=entry.typed_parameters(setting.parameters),
                                                      context=contexts[row.customer_id]) if f.trigger_id == row.pk]
                    if findings:
                        with transaction.atomic():  # this typology's savepoint
                            for finding in findings:
                                raise_alert(finding=finding, typology=entry, setting=setting,
                                            business_date=row.business_date, transactions=by_id)
                        raised += len(findings)
                except Exception as error:  # recorded and retried (the beat's retry), never skipped
                    logger.warning("Typology %s failed on monitored transaction %s: %r", entry.code, row.pk, error)
                    record_failure(schedule=EvaluationSchedule.REALTIME, setting=setting,
                                   customer_id=row.customer_id, business_date=row.business_date, error=error,
                                   row=row)
                    failed += 1
        if not failed:
            evaluated.append(row.pk)
            if row.recorded_before:
                resolved.append(row.pk)
    now = timezone.now()
    if evaluated:  # one UPDATE for the batch
        MonitoredTransaction.objects.filter(pk__in=evaluated).update(evaluated_at=now)
    if resolved:
        EvaluationFailure.objects.filter(transaction_id__in=resolved, resolved_at__isnull=True).update(resolved_at=now)
    return raised


@transaction.atomic
def _deliver_claimed(event_ids: list[int], now: datetime.datetime) -> int:
    """Record, evaluate and mark delivered the claimed events, in one transaction. Returns alerts raised."""
    events = list(OutboxEvent.objects.filter(pk__in=event_ids).order_by("pk"))
    done = set(OutboxDelivery.objects.filter(event_id__in=event_ids, subscriber=SUBSCRIBER)
               .values_list("event_id", flat=True))
    todo = [e for e in events if e.pk not in done]
    raised = _evaluate_batch(_record_batch([e.payload for e in todo])) if todo else 0
    OutboxDelivery.objects.bulk_create([OutboxDelivery(event=e, subscriber=SUBSCRIBER) for e in todo],
                                       ignore_conflicts=True)
    claimed = OutboxEvent.objects.filter(pk__in=event_ids, state=OutboxEvent.State.PENDING)
    if [s.name for s in subscribers_for(MONEY_MOVED)] == [SUBSCRIBER]:
        claimed.update(state=OutboxEvent.State.DELIVERED, delivered_at=now, last_error="",
                       attempts=F("attempts") + 1)
    else:  # another subscriber hears money.moved too: the per-event delivery gives it the events (ours is marked)
        claimed.update(next_attempt_at=now)
    return raised


def deliver_money_movements(*, limit: int = BATCH_SIZE, now: datetime.datetime | None = None) -> dict[str, int]:
    """Claim up to ``limit`` pending ``money.moved`` events and deliver them to monitoring as one batch; returns
    {"events": claimed, "alerts": raised}. Semantics are the per-event subscriber's (record_and_evaluate): each
    leg recorded once, the same alerts, a typology's failure recorded as an EvaluationFailure while the event
    still counts as delivered. Should the batch itself fail (a malformed event), it is rolled back and each of
    its events is delivered by the per-event path, whose retries and backoff isolate the bad one."""
    now = now or timezone.now()
    event_ids = claim_money_movements(now=now, limit=limit)
    if not event_ids:
        return {"events": 0, "alerts": 0}
    try:
        raised = _deliver_claimed(event_ids, now)
    except Exception:
        logger.exception("Batched monitoring of %s events failed; delivering them one by one.", len(event_ids))
        OutboxEvent.objects.filter(pk__in=event_ids, state=OutboxEvent.State.PENDING).update(next_attempt_at=now)
        for event_id in event_ids:
            deliver_event(event_id=event_id, now=now)
        raised = 0
    return {"events": len(event_ids), "alerts": raised}


def drain_money_movements(*, limit: int = BATCH_SIZE, budget: datetime.timedelta | None = None) -> dict[str, int]:
    """Deliver batches until none is pending (or ``budget`` of wall time is spent). Returns the totals."""
    started = timezone.now()
    totals = {"events": 0, "alerts": 0, "batches": 0}
    while True:
        result = deliver_money_movements(limit=limit)
        if not result["events"]:
            return totals
        totals["events"] += result["events"]
        totals["alerts"] += result["alerts"]
        totals["batches"] += 1
        if budget is not None and timezone.now() - started >= budget:
            return totals
