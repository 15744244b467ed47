"""Suppressions: a known pattern kept out of the queue, with a reason and an expiry. While one is active,
raise_alert (services/alerts.py) records the customer's alerts of its typology (or of every typology) as
suppressed instead of adding them to a case."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from apps.compliance.errors import CompliancePermissionRefused, SuppressionNotActive, SuppressionRefused
from apps.compliance.models import Suppression
from apps.compliance.typologies.base import library
from apps.customers.models import Customer

User = get_user_model()

ADD_SUPPRESSION = "compliance.add_suppression"
LIFT_SUPPRESSION = "compliance.change_suppression"


@transaction.atomic
def create_suppression(*, customer: Customer, typology: str, reason: str, expires_on: datetime.date,
                       business_date: datetime.date, actor: User) -> Suppression:
    """Suppress ``customer``'s alerts of ``typology`` (every typology when empty) until ``expires_on``
    (inclusive), which must be after the business date; the reason is required."""
    if not actor.is_active or not actor.has_perm(ADD_SUPPRESSION):
        raise CompliancePermissionRefused("Your role may not suppress alerts.")
    if not reason.strip():
        raise SuppressionRefused("Say why these alerts are suppressed.", code="suppression_reason_required")
    if expires_on <= business_date:
        raise SuppressionRefused(f"A suppression expires after the business date ({business_date:%Y-%m-%d}).",
                                 code="suppression_expiry_not_in_future")
    if typology and typology not in {known.code for known in library()}:
        raise SuppressionRefused(f"No typology is called {typology!r}.", code="suppression_typology_unknown")
    suppression = Suppression(customer=customer, typology=typology, reason=reason.strip(), expires_on=expires_on,
                              created_by=actor)
    suppression._history_user = actor
    suppression.save()
    return suppression


@transaction.atomic
def lift_suppression(*, suppression: Suppression, actor: User) -> Suppression:
    """End a suppression before its expiry: the customer's next alerts enter the queue again."""
    if not actor.is_active or not actor.has_perm(LIFT_SUPPRESSION):
        raise CompliancePermissionRefused("Your role may not lift suppressions.")
    suppression = Suppression.objects.select_for_update().get(pk=suppression.pk)
    if suppression.lifted_at is not None:
        raise SuppressionNotActive(f"Suppression {suppression.pk} was lifted on {suppression.lifted_at:%Y-%m-%d}.")
    suppression.lifted_at = timezone.now()
    suppression.lifted_by = actor
    suppression._history_user = actor
    suppression.save(update_fields=["lifted_at", "lifted_by"])
    return suppression
