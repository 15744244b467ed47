"""Payments: internal transfers between the bank's accounts, their fee schedule and limits.

Invariants backed by the database: amounts and fees are positive or zero (CHECK), a transfer's accounts differ
(CHECK), a transfer is one journal entry (UNIQUE one-to-one), an idempotency key is used once per initiator
(UNIQUE), at most one active fee schedule and one limit per product, channel/tier and currency (UNIQUE).

One module per subject; the app's models are imported from here, where Django looks for them.
"""

from apps.payments.models.beneficiaries import Beneficiary
from apps.payments.models.channels import Channel
from apps.payments.models.external import GatewayEvent, IncomingPayment, OutgoingPayment, PaymentSource, Rail
from apps.payments.models.fees_and_limits import CustomerTier, FeeSchedule, TransferLimit
from apps.payments.models.fraud import KINDS_WITH_AN_AMOUNT, FraudDecision, FraudRule
from apps.payments.models.reviews import PaymentReview
from apps.payments.models.standing_orders import StandingOrder, StandingOrderExecution
from apps.payments.models.transfers import Transfer

__all__ = [
    "KINDS_WITH_AN_AMOUNT",
    "Beneficiary",
    "Channel",
    "CustomerTier",
    "FeeSchedule",
    "FraudDecision",
    "FraudRule",
    "GatewayEvent",
    "IncomingPayment",
    "OutgoingPayment",
    "PaymentReview",
    "PaymentSource",
    "Rail",
    "StandingOrder",
    "StandingOrderExecution",
    "Transfer",
    "TransferLimit",
]
