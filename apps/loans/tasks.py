"""Celery tasks of the loans app: they take ids and call a service."""

from __future__ import annotations

from celery import shared_task

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
