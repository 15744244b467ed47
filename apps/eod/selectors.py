"""Reads about end of day: recent runs with their steps, the last seal."""

from django.db.models import Prefetch, QuerySet

from apps.eod.models import EodRun, EodStepRun


def recent_runs(limit: int = 10) -> QuerySet[EodRun]:
    return EodRun.objects.select_related("started_by").prefetch_related(
        Prefetch("steps", queryset=EodStepRun.objects.order_by("position")))[:limit]
