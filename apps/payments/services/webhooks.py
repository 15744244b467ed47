"""Gateway webhooks: verified by signature, recorded once by event id, then applied."""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.domain_errors import DomainError
from apps.money import Money
from apps.payments.gateway.base import GatewayOutcome
from apps.payments.models import GatewayEvent, OutgoingPayment
from apps.payments.services.external import apply_gateway_outcome, receive_incoming_payment

logger = logging.getLogger(__name__)
OUTCOME_EVENTS = {f"payment.{status}": status for status in
                  (GatewayOutcome.ACCEPTED, GatewayOutcome.SETTLED, GatewayOutcome.REJECTED, GatewayOutcome.FAILED)}


class UnknownPaymentReference(DomainError):
    """Answered 404 so that the gateway retries later (our payment may not be committed yet)."""

    code = "unknown_payment_reference"
    title = "No payment with this reference"
    status = 404


@transaction.atomic
def process_gateway_event(*, gateway: str, payload: dict) -> str:
    """Apply one webhook. A repeated event id is acknowledged and changes nothing. Returns what happened."""
    event_id, event_type = str(payload.get("id", "")), str(payload.get("type", ""))
    if not event_id or not event_type:
        raise DomainError("A webhook needs an id and a type.", code="invalid_webhook")
    try:
        with transaction.atomic():
            event = GatewayEvent.objects.create(gateway=gateway, event_id=event_id, event_type=event_type,
                                                payload=payload)
    except IntegrityError:
        return "duplicate event: ignored"
    if event_type in OUTCOME_EVENTS:
        reference = str(payload.get("reference", ""))
        if not OutgoingPayment.objects.filter(reference=reference).exists():
            raise UnknownPaymentReference(f"No outgoing payment {reference!r}.")
        payment = apply_gateway_outcome(reference=reference, outcome=GatewayOutcome(
            status=OUTCOME_EVENTS[event_type], gateway_id=str(payload.get("gateway_id", "")),
            reason=str(payload.get("reason", ""))))
        outcome = f"payment {reference} is {payment.status}"
    elif event_type == "payment.incoming":
        try:
            incoming = receive_incoming_payment(
                gateway=gateway, gateway_id=str(payload["gateway_id"]), account_number=str(payload["creditor_account"]),
                money=Money(str(payload["amount"]), str(payload["currency"])),
                debtor_name=str(payload.get("debtor_name", "")), debtor_account=str(payload.get("debtor_account", "")),
                remittance_information=str(payload.get("remittance_information", "")),
            )
            outcome = f"credited {incoming.to_account.number}"
        except DomainError as refusal:
            # Refused for good (unknown or closed account): recorded for operations to return the funds.
            outcome = f"refused: {refusal.code}: {refusal}"[:200]
            logger.warning("Incoming payment %s refused: %s", payload.get("gateway_id"), refusal)
    else:
        outcome = "unhandled event type: recorded"
    event.processed_at, event.outcome = timezone.now(), outcome
    event.save(update_fields=["processed_at", "outcome"])
    return outcome
