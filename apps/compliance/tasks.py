"""Celery tasks of the compliance app: they take ids and call a service."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.utils import timezone

from apps.compliance.services.backtests import backtests_left_behind, run_backtest
from apps.compliance.services.end_of_day import retry_failed_evaluations

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
