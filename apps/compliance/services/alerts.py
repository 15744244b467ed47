"""Raising an alert from a typology's finding, and grouping it into the customer's case."""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q

from apps.compliance.models import Alert, Case, MonitoredTransaction, Suppression, TypologySetting
from apps.compliance.models.alerts import OPEN_CASE_STATUSES, AlertDisposition
from apps.compliance.typologies.base import Finding, Typology
from apps.money import round_to_currency


def evidence_of(transaction_row: MonitoredTransaction) -> dict:
    """A transaction's facts as the case keeps them: copied, so the case reads the same later."""
    return {
        "id": transaction_row.pk, "entry_id": transaction_row.entry_id, "kind": transaction_row.kind,
        "direction": transaction_row.direction,
        "amount": str(round_to_currency(transaction_row.amount, transaction_row.currency)),
        "currency": transaction_row.currency, "account_id": transaction_row.account_id,
        "branch_id": transaction_row.branch_id, "business_date": transaction_row.business_date.isoformat(),
        "occurred_at": transaction_row.occurred_at.isoformat(),
        "counterparty_name": transaction_row.counterparty_name, "counterparty_iban": transaction_row.counterparty_iban,
        "counterparty_country": transaction_row.counterparty_country,
        "counterparty_account_id": transaction_row.counterparty_account_id,
    }


def active_suppression(*, customer_id: int, typology: str, on: datetime.date) -> Suppression | None:
    return (Suppression.objects.filter(customer_id=customer_id, lifted_at__isnull=True, expires_on__gte=on)
            .filter(Q(typology=typology) | Q(typology="")).order_by("id").first())


def sar_due_on(*, detected_on: datetime.date, suspect_known: bool) -> datetime.date:
    days = settings.COMPLIANCE_SAR_DAYS if suspect_known else settings.COMPLIANCE_SAR_DAYS_NO_SUSPECT
    return detected_on + datetime.timedelta(days=days)


def _open_case_for(*, customer_id: int, detected_on: datetime.date, score: int) -> Case:
    """The customer's case under investigation, locked; a new one if there is none. Two alerts racing for a
    customer with no case meet at the one-open-case constraint: the loser takes the winner's case."""
    case = Case.objects.select_for_update().filter(customer_id=customer_id, status__in=OPEN_CASE_STATUSES).first()
    if case is None:
        try:
            with transaction.atomic():
                case = Case.objects.create(customer_id=customer_id, detected_on=detected_on, risk_score=score,
                                           sar_due_on=sar_due_on(detected_on=detected_on, suspect_known=True))
        except IntegrityError:
            case = Case.objects.select_for_update().get(customer_id=customer_id, status__in=OPEN_CASE_STATUSES)
    if score > case.risk_score:
        case.risk_score = score
        case.save(update_fields=["risk_score"])
    return case


@transaction.atomic
def raise_alert(*, finding: Finding, typology: Typology, setting: TypologySetting, business_date: datetime.date,
                transactions: Mapping[int, MonitoredTransaction]) -> Alert:
    """Record the finding as an alert, once per (setting, trigger): raising it again returns the first.

    A shadow setting's alert is marked shadow; an alert under an active suppression is marked suppressed;
    either joins no case. Every other alert joins the customer's case under investigation, or opens one."""
    existing = Alert.objects.filter(setting=setting, trigger_id=finding.trigger_id).first()
    if existing is not None:
        return existing
    suppression = None
    if setting.is_shadow:
        disposition = AlertDisposition.SHADOW
    else:
        suppression = active_suppression(customer_id=finding.customer_id, typology=typology.code, on=business_date)
        disposition = AlertDisposition.SUPPRESSED if suppression else AlertDisposition.QUEUED
    case = (_open_case_for(customer_id=finding.customer_id, detected_on=business_date, score=finding.score)
            if disposition == AlertDisposition.QUEUED else None)
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                typology=typology.code, typology_version=typology.version, setting=setting,
                setting_revision=setting.revision, disposition=disposition, customer_id=finding.customer_id,
                case=case, suppression=suppression, trigger_id=finding.trigger_id, score=finding.score,
                summary=finding.summary[:300], facts=finding.facts, business_date=business_date,
                evidence=[evidence_of(transactions[i]) for i in finding.movement_ids],
            )
    except IntegrityError:  # a concurrent evaluation of the same trigger raised it first
        return Alert.objects.get(setting=setting, trigger_id=finding.trigger_id)
    alert.transactions.set([transactions[i] for i in finding.movement_ids])
    return alert
