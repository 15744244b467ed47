"""Celery tasks of the loans app: they take ids and call a service."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from apps.loans.application_selectors import applications_waiting_for_a_score
from apps.loans.models import LoanApplication
from apps.loans.models.applications import OPEN_STATUSES
from apps.loans.services.scoring import score_application


@shared_task(name="loans.score_application", time_limit=120, soft_time_limit=110)
def score_loan_application_task(application_id: int) -> int | None:
    """Score a submitted application (asks the credit bureau). Idempotent enough: a decided one is left alone,
    and scoring an open one again only adds a newer card."""
    application = LoanApplication.objects.select_related("customer", "product").filter(pk=application_id).first()
    if application is None or application.status not in OPEN_STATUSES:
        return None
    return score_application(application=application, actor=None).pk


@shared_task(name="loans.score_waiting_applications", time_limit=10 * 60, soft_time_limit=10 * 60 - 10)
def score_waiting_applications() -> int:
    """Score again what waits for a score (the bureau or the broker was down): a batch, oldest first. A bureau
    still down costs one fast refusal each (its circuit breaker) and they wait for the next run."""
    submitted_before = timezone.now() - datetime.timedelta(minutes=5)
    waiting = list(applications_waiting_for_a_score(submitted_before=submitted_before)[
        :settings.LOAN_SCORING_RETRY_BATCH])
    for application in waiting:
        score_application(application=application, actor=None)
    return len(waiting)
