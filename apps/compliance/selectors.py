"""Reads of compliance's work for more than one caller (the admin's lists, the officer's home): the case queue
with its deadline clocks, the alert queue, the CTRs to file, and alerts per typology per week.

The business date is passed in (apps.organization.selectors.current_business_date at the edge): a case is
overdue when its SAR deadline is before it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet

from apps.compliance.models import Alert, Case, CurrencyTransactionReport
from apps.compliance.models.alerts import OPEN_CASE_STATUSES, AlertDisposition
from apps.compliance.models.reports import CtrStatus


def with_deadline_flags(cases: QuerySet[Case], *, business_date: datetime.date) -> QuerySet[Case]:
    """Each case with ``is_overdue`` (still open, and its SAR deadline before the business date) and
    ``alert_count`` (its alerts)."""
    return cases.annotate(
        is_overdue=ExpressionWrapper(Q(sar_due_on__lt=business_date, status__in=OPEN_CASE_STATUSES),
                                     output_field=BooleanField()),
        alert_count=Count("alerts", distinct=True),
    )


def case_queue(*, business_date: datetime.date) -> QuerySet[Case]:
    """The cases under investigation by SAR deadline, the earliest (so the overdue) first."""
    cases = Case.objects.filter(status__in=OPEN_CASE_STATUSES).select_related("customer", "assignee")
    return with_deadline_flags(cases, business_date=business_date).order_by("sar_due_on", "id")


def alert_queue() -> QuerySet[Alert]:
    """Alerts in the queue (grouped into a case still open), newest first; shadow and suppressed ones are not."""
    return (Alert.objects.filter(disposition=AlertDisposition.QUEUED, case__status__in=OPEN_CASE_STATUSES)
            .select_related("customer", "case").order_by("-detected_at", "-id"))


def ctrs_to_file() -> QuerySet[CurrencyTransactionReport]:
    return (CurrencyTransactionReport.objects.filter(status=CtrStatus.READY).select_related("customer")
            .order_by("business_date", "id"))


@dataclass(frozen=True)
class AlertsPerWeek:
    weeks: list[datetime.date]  # each week's last business date, oldest first
    counts: dict[str, list[int]]  # typology -> one count per week


def alerts_per_typology_per_week(*, business_date: datetime.date, weeks: int = 8) -> AlertsPerWeek:
    """Alerts raised (shadow ones excluded) per typology in each of the ``weeks`` seven-day periods ending on
    ``business_date``: one query, grouped by detection date."""
    ends = [business_date - datetime.timedelta(days=7 * back) for back in range(weeks - 1, -1, -1)]
    start = ends[0] - datetime.timedelta(days=6)
    per_day = (Alert.objects.exclude(disposition=AlertDisposition.SHADOW)
               .filter(business_date__gte=start, business_date__lte=business_date)
               .values_list("typology", "business_date").annotate(count=Count("id")).order_by())
    counts: dict[str, list[int]] = {}
    for typology, day, count in per_day:
        week = (business_date - day).days // 7
        counts.setdefault(typology, [0] * weeks)[weeks - 1 - week] += count
    return AlertsPerWeek(weeks=ends, counts=dict(sorted(counts.items())))
