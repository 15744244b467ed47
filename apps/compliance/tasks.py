"""Celery tasks of the compliance app: they take ids and call a service."""

from __future__ import annotations

from celery import shared_task

from apps.compliance.services.backtests import run_backtest


@shared_task(name="compliance.run_backtest", time_limit=30 * 60, soft_time_limit=30 * 60 - 30)
def run_backtest_task(backtest_id: int) -> int | None:
    """Carry out a queued backtest. Idempotent: a run already claimed (running, done, failed) is left alone."""
    run = run_backtest(backtest_id=backtest_id)
    return None if run is None else run.alerts_would_raise
