"""Celery tasks of the compliance app: they take ids and call a service."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from apps.compliance.services.backtests import backtests_left_behind, run_backtest
from apps.compliance.services.end_of_day import retry_failed_evaluations
from apps.compliance.services.monitoring_batch import drain_money_movements

BACKTEST_TIME_LIMIT = 30 * 60


@shared_task(name="compliance.run_backtest", time_limit=BACKTEST_TIME_LIMIT, soft_time_limit=BACKTEST_TIME_LIMIT - 30)
def run_backtest_task(backtest_id: int) -> int | None:
    """Carry out a queued backtest. Idempotent: a run already claimed (running, done, failed) is left alone."""
    run = run_backtest(backtest_id=backtest_id)
    return None if run is None else run.alerts_would_raise


@shared_task(name="compliance.run_backtests_left_behind", time_limit=BACKTEST_TIME_LIMIT,
             soft_time_limit=BACKTEST_TIME_LIMIT - 30)
def run_backtests_left_behind_task() -> int:
    """The beat's backstop: carry out the runs whose message the broker lost (queued over 5 minutes), and mark
    failed those whose worker is gone (running past the time limit). Returns how many it carried out."""
    queued, _ = backtests_left_behind(now=timezone.now(), queued_for=datetime.timedelta(minutes=5),
                                      running_for=datetime.timedelta(seconds=BACKTEST_TIME_LIMIT))
    return sum(1 for backtest_id in queued if run_backtest(backtest_id=backtest_id) is not None)


@shared_task(name="compliance.retry_failed_evaluations", time_limit=600, soft_time_limit=600 - 10)
def retry_failed_evaluations_task() -> dict:
    """The beat's retry of monitoring: the movements a typology failed on, and the failed end-of-day windows."""
    return retry_failed_evaluations()


DRAIN_LOCK = "compliance:drain-money-movements"
DRAIN_BUDGET = datetime.timedelta(seconds=50)


@shared_task(name="compliance.drain_money_movements", time_limit=120, soft_time_limit=120 - 10, ignore_result=True)
def drain_money_movements_task() -> dict | None:
    """The beat's batch consumer of money.moved (every 2 s): deliver batches until none is pending or 50 s
    have passed. One drain at a time (a cache lock that outlives a dead worker by its time limit): a second
    drain would only take a worker process from other tasks; a next beat tick goes on where this one stopped."""
    if not cache.add(DRAIN_LOCK, "held", timeout=120):
        return None
    try:
        return drain_money_movements(budget=DRAIN_BUDGET)
    finally:
        cache.delete(DRAIN_LOCK)
