"""Carrying out a backtest (models/backtests.py): the typology's scan over every customer's monitored
transactions in the range, with the history its lookback needs before it, counting the findings it would have
raised there. It raises no alert. Its figures stand beside what the live setting raised in the same range.

The scan is the library's own (typologies/base.py), grouped by customer as the end of day scans; when the batch
evaluator (apps/compliance/batch.py) lands, this loop can become a call to it with "raise nothing".
"""

from __future__ import annotations

import datetime
import itertools
from collections import Counter
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.compliance.models import Alert, BacktestRun, MonitoredTransaction
from apps.compliance.models.alerts import AlertDisposition
from apps.compliance.models.backtests import BACKTEST_CUSTOMERS_SHOWN, BacktestStatus
from apps.compliance.models.typologies import SettingMode
from apps.compliance.services.monitoring import customer_context, movement_of
from apps.compliance.typologies.base import Typology, typology
from apps.customers.models import Customer

BACKTESTS_PER_SWEEP = 5


def _claim(backtest_id: int) -> bool:
    """Queued → running with a conditional UPDATE: of two workers given the same run, one carries it out."""
    return BacktestRun.objects.filter(pk=backtest_id, status=BacktestStatus.QUEUED).update(
        status=BacktestStatus.RUNNING, started_at=timezone.now()) == 1


def would_alert(*, entry: Typology, parameters: dict[str, Any], currency: str, date_from: datetime.date,
                date_to: datetime.date) -> tuple[int, Counter[int]]:
    """(transactions evaluated in the range, alerts per customer) the parameters would have raised: findings
    whose trigger's business date is in the range. Reads only."""
    typed = entry.typed_parameters(parameters)
    # The history before the range that the scan needs: its lookback, and a day for business dates that run
    # behind the calendar (a deposit after the cut-off counts toward the next business date).
    since = (datetime.datetime.combine(date_from, datetime.time.min, tzinfo=datetime.UTC)
             - entry.lookback - datetime.timedelta(days=1))
    rows = (MonitoredTransaction.objects.filter(currency=currency, business_date__lte=date_to)
            .filter(Q(business_date__gte=date_from) | Q(occurred_at__gte=since))
            .order_by("customer_id", "occurred_at", "id").iterator(chunk_size=2000))
    evaluated = 0
    alerts: Counter[int] = Counter()
    for customer_id, customer_rows in itertools.groupby(rows, key=lambda row: row.customer_id):
        movements = [movement_of(row) for row in customer_rows]
        in_range = {m.id for m in movements if date_from <= m.business_date <= date_to}
        evaluated += len(in_range)
        if not in_range:
            continue
        findings = entry.scan(movements, parameters=typed, context=customer_context(customer_id))
        triggered = sum(1 for finding in findings if finding.trigger_id in in_range)
        if triggered:
            alerts[customer_id] += triggered
    return evaluated, alerts


def _live_alerts(run: BacktestRun) -> tuple[int, set[int]]:
    """What the live setting raised in the range (queued or suppressed; never the shadow's)."""
    rows = Alert.objects.filter(typology=run.typology, setting__currency=run.currency,
                                setting__mode=SettingMode.LIVE, business_date__range=(run.date_from, run.date_to)
                                ).exclude(disposition=AlertDisposition.SHADOW).values_list("customer_id", flat=True)
    customers = list(rows)
    return len(customers), set(customers)


def _customers_shown(alerts: Counter[int]) -> list[dict[str, Any]]:
    shown = sorted(alerts.items(), key=lambda item: (-item[1], item[0]))[:BACKTEST_CUSTOMERS_SHOWN]
    names = dict(Customer.objects.filter(pk__in=[pk for pk, _ in shown]).values_list("pk", "legal_name"))
    return [{"id": pk, "name": names.get(pk, ""), "alerts": count} for pk, count in shown]


def run_backtest(*, backtest_id: int) -> BacktestRun | None:
    """Carry out a queued backtest and record its figures; None when it is not queued (done, running
    elsewhere, or gone): running it again changes nothing. A failure is recorded with its reason."""
    if not _claim(backtest_id):
        return None
    run = BacktestRun.objects.get(pk=backtest_id)
    try:
        evaluated, alerts = would_alert(entry=typology(run.typology), parameters=run.parameters,
                                        currency=run.currency, date_from=run.date_from, date_to=run.date_to)
        live_count, live_customers = _live_alerts(run)
    except Exception as error:  # recorded on the run for the officer, then raised for the worker's log
        _finish(run, status=BacktestStatus.FAILED, failure_reason=f"{type(error).__name__}: {error}"[:2000])
        raise
    alerted = set(alerts)
    return _finish(run, status=BacktestStatus.DONE, transactions_evaluated=evaluated,
                   alerts_would_raise=sum(alerts.values()), customers_alerted=len(alerted),
                   customers=_customers_shown(alerts), live_alerts=live_count, live_customers=len(live_customers),
                   customers_only_backtest=len(alerted - live_customers),
                   customers_only_live=len(live_customers - alerted))


def backtests_left_behind(*, now: datetime.datetime, queued_for: datetime.timedelta,
                          running_for: datetime.timedelta) -> tuple[list[int], int]:
    """The backstop of the broker and the workers: the ids of runs queued longer than ``queued_for`` (their
    message was lost: the caller runs them), and how many runs running longer than ``running_for`` (the task's
    time limit: their worker is gone) it marked failed."""
    queued = list(BacktestRun.objects.filter(status=BacktestStatus.QUEUED, requested_at__lt=now - queued_for)
                  .order_by("requested_at", "id").values_list("id", flat=True)[:BACKTESTS_PER_SWEEP])
    stuck = 0
    for backtest_id in BacktestRun.objects.filter(status=BacktestStatus.RUNNING,
                                                  started_at__lt=now - running_for).values_list("id", flat=True):
        stuck += _fail_if_still_running(backtest_id)
    return queued, stuck


@transaction.atomic
def _fail_if_still_running(backtest_id: int) -> int:
    run = BacktestRun.objects.select_for_update().get(pk=backtest_id)
    if run.status != BacktestStatus.RUNNING:
        return 0  # it finished meanwhile
    _finish(run, status=BacktestStatus.FAILED,
            failure_reason="The worker stopped before the run finished (time limit or restart): request it again.")
    return 1


@transaction.atomic
def _finish(run: BacktestRun, *, status: str, **figures: Any) -> BacktestRun:
    run = BacktestRun.objects.select_for_update().get(pk=run.pk)
    for name, value in figures.items():
        setattr(run, name, value)
    run.status = status
    run.finished_at = timezone.now()
    run._history_user = run.requested_by
    run.save()
    return run
