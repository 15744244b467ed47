"""Reads of compliance's work for more than one caller (the admin's lists, the officer's home): the case queue
with its deadline clocks, the alert queue and the CTRs to file (the charts of alerts are in charts.py).

The business date is passed in (apps.organization.selectors.current_business_date at the edge): a case is
overdue when its SAR deadline is before it."""

from __future__ import annotations

import datetime

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
