"""Charts of alerts per week (config/admin_charts.py draws them): per typology, for the compliance officer's home,
and live against shadow, for the typology settings page. A week runs Monday to Sunday of business dates (an
alert's business date of detection); the last week is the one holding ``business_date``. One query per chart.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Count

from apps.compliance.models import Alert
from apps.compliance.models.alerts import AlertDisposition
from apps.compliance.typologies.base import library
from config.admin_charts import Chart, count_series


def week_starts(*, business_date: datetime.date, weeks: int) -> list[datetime.date]:
    """The Mondays of the last ``weeks`` weeks, oldest first, the last being ``business_date``'s week."""
    this_week = business_date - datetime.timedelta(days=business_date.weekday())
    return [this_week - datetime.timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]


def _in_weeks(starts: list[datetime.date]):
    return Alert.objects.filter(business_date__range=(starts[0], starts[-1] + datetime.timedelta(days=6)))


def _monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def _week_labels(starts: list[datetime.date]) -> list[str]:
    return [f"week of {start.isoformat()}" for start in starts]


def alerts_per_typology_per_week(*, business_date: datetime.date, weeks: int = 8) -> Chart:
    """Alerts of the live settings (queued or suppressed; not the shadow ones) per typology of the library per
    week: one line per typology, whether it alerted or not."""
    starts = week_starts(business_date=business_date, weeks=weeks)
    rows = (_in_weeks(starts).exclude(disposition=AlertDisposition.SHADOW)
            .values_list("typology", "business_date").annotate(count=Count("id")).order_by())
    counts: dict[tuple[str, datetime.date], int] = defaultdict(int)
    for code, day, count in rows:
        counts[code, _monday(day)] += count
    series = [count_series(entry.name, [counts.get((entry.code, s), 0) for s in starts], "alerts")
              for entry in library()]
    return Chart(id="alerts-per-typology-chart", title=f"Alerts per typology, last {weeks} weeks", kind="line",
                 labels=_week_labels(starts), series=series,
                 note="Alerts raised per week of business dates by the live settings (shadow alerts are on the "
                      "typology settings page).")


def live_and_shadow_alerts_per_week(*, business_date: datetime.date, weeks: int = 8) -> list[Chart]:
    """For each typology of the library: its live alerts and its shadow alerts per week, side by side, so the
    officer sees what a shadow threshold would add to the queue before promoting it."""
    starts = week_starts(business_date=business_date, weeks=weeks)
    rows = (_in_weeks(starts).values_list("typology", "disposition", "business_date")
            .annotate(count=Count("id")).order_by())
    live: dict[tuple[str, datetime.date], int] = defaultdict(int)
    shadow: dict[tuple[str, datetime.date], int] = defaultdict(int)
    for code, disposition, day, count in rows:
        bucket = shadow if disposition == AlertDisposition.SHADOW else live
        bucket[code, _monday(day)] += count
    return [Chart(id=f"alerts-{entry.code}-chart", title=f"{entry.name}: alerts per week, live and shadow",
                  kind="bar", labels=_week_labels(starts),
                  series=[count_series("Live", [live.get((entry.code, s), 0) for s in starts], "alerts"),
                          count_series("Shadow", [shadow.get((entry.code, s), 0) for s in starts], "alerts")],
                  note="Live: alerts of the live setting (queued or suppressed). Shadow: what the shadow "
                       "setting raised beside it, kept out of the queue.")
            for entry in library()]
