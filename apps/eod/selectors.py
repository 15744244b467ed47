"""Reads about end of day: recent runs with their steps, the day the next run closes."""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from apps.eod.models import EodRun, EodStepRun
from apps.eod_registry import EodStep, OpenItem, open_items, registered_steps
from apps.organization.selectors import current_business_date


def recent_runs(limit: int = 10) -> QuerySet[EodRun]:
    return EodRun.objects.select_related("started_by").prefetch_related(
        Prefetch("steps", queryset=EodStepRun.objects.order_by("position")))[:limit]


def last_run() -> EodRun | None:
    """The latest end-of-day run (by the date it closes), with who started it and its steps."""
    return (EodRun.objects.select_related("started_by")
            .prefetch_related(Prefetch("steps", queryset=EodStepRun.objects.order_by("position")))
            .order_by("-business_date").first())


@dataclass(frozen=True)
class DayToClose:
    """What the end-of-day screen offers to close: the date, the run it resumes (if one is unfinished), the
    date the bank moves to, the steps that will run, and the open items the domains report."""

    business_date: datetime.date
    next_business_date: datetime.date
    unfinished_run: EodRun | None
    steps: list[EodStep]
    open_items: list[OpenItem]


def day_to_close() -> DayToClose:
    """The unfinished run's date (end of day resumes it), or else the bank's current business date."""
    unfinished = (EodRun.objects.exclude(status=EodRun.Status.COMPLETED).select_related("started_by")
                  .prefetch_related(Prefetch("steps", queryset=EodStepRun.objects.order_by("position")))
                  .order_by("business_date").first())
    day = unfinished.business_date if unfinished else current_business_date()
    return DayToClose(business_date=day, next_business_date=day + datetime.timedelta(days=1),
                      unfinished_run=unfinished, steps=registered_steps(), open_items=open_items(day))
