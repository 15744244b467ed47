"""Test data for payments: fraud rules and beneficiaries."""

import datetime

from django.utils import timezone

from apps.payments.models import KINDS_WITH_AN_AMOUNT, Beneficiary, FraudRule
from apps.payments.services.beneficiaries import add_beneficiary


def fraud_rule(kind: str, action: str = "block", name: str | None = None, priority: int = 100,
               currency: str | None = None, **parameters) -> FraudRule:
    """A validated rule; a rule with an amount is in ``currency`` (EUR unless told)."""
    if currency is None:
        currency = "EUR" if kind in KINDS_WITH_AN_AMOUNT else ""
    rule = FraudRule(name=name or f"{kind} {action}", kind=kind, action=action, parameters=parameters,
                     currency=currency, priority=priority)
    rule.full_clean()
    rule.save()
    return rule


def saved_beneficiary(owner, account_identifier: str, *, hours_ago: float = 0, name: str = "Payee") -> Beneficiary:
    """A beneficiary ``owner`` saved ``hours_ago`` hours ago."""
    beneficiary = add_beneficiary(owner=owner, name=name, account_identifier=account_identifier, actor=owner.user)
    if hours_ago:
        created_at = timezone.now() - datetime.timedelta(hours=hours_ago)
        Beneficiary.objects.filter(pk=beneficiary.pk).update(created_at=created_at)
        beneficiary.created_at = created_at
    return beneficiary
