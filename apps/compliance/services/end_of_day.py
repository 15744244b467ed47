"""Monitoring's end of day for one business date: the movements still unevaluated are retried, and the
end-of-day typologies (windows of days, weeks, a month) scan each customer's window ending on the date.

Idempotent per business date: a finding is an alert once per (setting, trigger), and only the findings whose
trigger's business date is the date are kept, so running the date again raises nothing new (and a movement
delivered late, after a first run, is caught by the second). The date is given, never read from the clock.
A typology that raises on a customer's window is recorded (``EvaluationFailure``, end of day) and retried by
the next run and by the beat task; it never stops the bank's end of day.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from apps.compliance.models import EvaluationFailure, MonitoredTransaction, TypologySetting
from apps.compliance.models.monitoring import EvaluationSchedule
from apps.compliance.services.alerts import raise_alert
from apps.compliance.services.monitoring import (
    customer_context,
    evaluate_unevaluated_transactions,
    movement_of,
    record_failure,
    unevaluated_transactions,
)
from apps.compliance.typologies.base import END_OF_DAY, Typology, library
from apps.ledger.money_movements import MONEY_MOVED
from apps.outbox.models import OutboxEvent

logger = logging.getLogger(__name__)

# The outbox subscriber that records movements (apps/compliance/subscribers.py).
MONITOR_SUBSCRIBER = "compliance.monitor_movement"


def window_start(business_date: datetime.date, lookback: datetime.timedelta) -> datetime.date:
    """The first business date of a window ``lookback`` long ending on ``business_date`` (part days count whole)."""
    days = lookback.days + (1 if lookback.seconds or lookback.microseconds else 0)
    return business_date - datetime.timedelta(days=days)


def end_of_day_settings() -> dict[str, list[tuple[Typology, TypologySetting]]]:
    """(typology, setting) of every enabled setting whose typology runs at the end of day, by currency."""
    by_code = {t.code: t for t in library() if t.schedule == END_OF_DAY}
    by_currency: dict[str, list[tuple[Typology, TypologySetting]]] = defaultdict(list)
    for setting in TypologySetting.objects.filter(is_enabled=True, typology__in=by_code).order_by(
            "currency", "typology", "mode"):
        by_currency[setting.currency].append((by_code[setting.typology], setting))
    return by_currency


@transaction.atomic
def evaluate_customer_window(*, customer_id: int, currency: str, business_date: datetime.date,
                             pairs: Sequence[tuple[Typology, TypologySetting]]) -> tuple[int, int]:
    """Scan one customer's window ending on ``business_date`` with each end-of-day (typology, setting), each in
    its own savepoint; raise an alert for each finding triggered on the date. Returns (alerts, failures)."""
    start = min(window_start(business_date, t.lookback) for t, _ in pairs)
    rows = list(MonitoredTransaction.objects.filter(
        customer_id=customer_id, currency=currency, business_date__gte=start, business_date__lte=business_date,
    ).order_by("occurred_at", "id"))
    by_id = {r.pk: r for r in rows}
    movements = [movement_of(r) for r in rows]
    context = customer_context(customer_id)
    raised = failed = 0
    for entry, setting in pairs:
        since = window_start(business_date, entry.lookback)
        window = [m for m in movements if m.business_date >= since]
        try:
            with transaction.atomic():
                params = entry.typed_parameters(setting.parameters)
                for finding in entry.scan(window, parameters=params, context=context):
                    if by_id[finding.trigger_id].business_date == business_date:
                        raise_alert(finding=finding, typology=entry, setting=setting, business_date=business_date,
                                    transactions=by_id)
                        raised += 1
        except Exception as error:  # recorded, retried by the next run or the beat task, never skipped
            logger.warning("End-of-day typology %s failed for customer %s on %s: %r", entry.code, customer_id,
                           business_date, error)
            record_failure(schedule=EvaluationSchedule.END_OF_DAY, setting=setting, customer_id=customer_id,
                           business_date=business_date, error=error)
            failed += 1
        else:
            EvaluationFailure.objects.filter(
                schedule=EvaluationSchedule.END_OF_DAY, setting=setting, customer_id=customer_id,
                business_date=business_date, resolved_at__isnull=True).update(resolved_at=timezone.now())
    return raised, failed


def retry_end_of_day_failures(*, before: datetime.date | None = None) -> dict[str, int]:
    """Scan again every customer window whose end-of-day typology failed (on a date before ``before``, if
    given: the run of a date scans that date's windows anyway)."""
    failures = EvaluationFailure.objects.filter(schedule=EvaluationSchedule.END_OF_DAY, resolved_at__isnull=True)
    if before is not None:
        failures = failures.filter(business_date__lt=before)
    by_code = {t.code: t for t in library() if t.schedule == END_OF_DAY}
    retried = still_failing = 0
    for failure in failures.select_related("setting").order_by("business_date", "id"):
        entry = by_code.get(failure.typology)
        if entry is None:  # the typology left the library: nothing can evaluate it any more
            continue
        retried += 1
        _, failed = evaluate_customer_window(customer_id=failure.customer_id, currency=failure.setting.currency,
                                             business_date=failure.business_date, pairs=[(entry, failure.setting)])
        still_failing += failed
    return {"retried_windows": retried, "windows_still_failing": still_failing}


def undelivered_movement_events() -> int:
    """``money.moved`` events the monitoring subscriber has not handled yet (pending or failed delivery)."""
    return (OutboxEvent.objects.filter(event_type=MONEY_MOVED).exclude(state=OutboxEvent.State.DELIVERED)
            .exclude(deliveries__subscriber=MONITOR_SUBSCRIBER).count())


def open_end_of_day_failures() -> int:
    return EvaluationFailure.objects.filter(schedule=EvaluationSchedule.END_OF_DAY, resolved_at__isnull=True).count()


def monitor_business_date(business_date: datetime.date) -> dict[str, int]:
    """The end-of-day step ``compliance.monitor``: (a) retry the unevaluated movements and the failed windows,
    (b) scan every customer with a movement on the date with each end-of-day typology, over the typology's
    lookback ending on the date, (c) count what is still not evaluated."""
    retried = evaluate_unevaluated_transactions(limit=None)
    retried_windows = retry_end_of_day_failures(before=business_date)
    customers = alerts = failures = 0
    for currency, pairs in end_of_day_settings().items():
        customer_ids = (MonitoredTransaction.objects.filter(business_date=business_date, currency=currency)
                        .order_by("customer_id").values_list("customer_id", flat=True).distinct())
        for customer_id in customer_ids:
            raised, failed = evaluate_customer_window(customer_id=customer_id, currency=currency,
                                                      business_date=business_date, pairs=pairs)
            customers += 1
            alerts += raised
            failures += failed
    return {
        "retried": retried["retried"], "evaluated_on_retry": retried["evaluated"],
        "retried_windows": retried_windows["retried_windows"], "customer_windows": customers,
        "end_of_day_alerts": alerts, "end_of_day_failures": failures,
        "not_evaluated": unevaluated_transactions().count(), "windows_not_evaluated": open_end_of_day_failures(),
        "undelivered_events": undelivered_movement_events(),
    }


def retry_failed_evaluations() -> dict[str, int]:
    """The beat task's work: the unevaluated movements, then the failed end-of-day windows."""
    return {**evaluate_unevaluated_transactions(), **retry_end_of_day_failures()}
