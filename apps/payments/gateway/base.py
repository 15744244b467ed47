"""What the product expects of a payment gateway, whatever rail or vendor is behind it."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol


@dataclass(frozen=True)
class PaymentInstruction:
    """An outgoing payment as the gateway sees it. ``reference`` is ours, unique, and doubles as the
    gateway's idempotency key: submitting it twice can never pay twice."""

    reference: str
    rail: str
    amount: Decimal
    currency: str
    creditor_name: str
    creditor_account: str
    creditor_country: str
    debtor_name: str
    debtor_account: str
    remittance_information: str = ""
    creditor_bic: str = ""


@dataclass(frozen=True)
class GatewayOutcome:
    """What the gateway said about a payment: accepted (in progress), settled, rejected or failed."""

    status: str
    gateway_id: str = ""
    reason: str = ""
    raw: dict = field(default_factory=dict, compare=False)

    ACCEPTED = "accepted"
    SETTLED = "settled"
    REJECTED = "rejected"
    FAILED = "failed"

    @property
    def is_final(self) -> bool:
        return self.status in {self.SETTLED, self.REJECTED, self.FAILED}


class GatewayError(Exception):
    """Base of gateway failures."""


class GatewayRefused(GatewayError):
    """The gateway answered and refused the request for good (4xx): do not retry."""


class GatewayUnavailable(GatewayError):
    """The gateway could not be reached or answered with a retryable error, and retries are exhausted, or the
    circuit breaker is open. Nothing is known to have happened; with the same reference, trying later is safe."""


class GatewayOutcomeUnknown(GatewayUnavailable):
    """The request may have reached the gateway (a timeout after sending): the payment must be looked up
    later by its reference before anything else is decided."""


class PaymentNotFound(GatewayError):
    """The gateway has no payment with this reference."""


class PaymentGateway(Protocol):
    name: str

    def submit(self, instruction: PaymentInstruction) -> GatewayOutcome: ...

    def fetch_status(self, reference: str) -> GatewayOutcome: ...
