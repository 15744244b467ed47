"""Who may initiate a payment: the one rule every door (API, admin, approval runner, task) meets in the service.

A customer initiates payments from their own accounts (the payer scope the caller passes in keeps them there).
Staff initiate payments on a customer's behalf only if their role holds the permission for that kind of payment
(tellers and branch managers: apps.organization.roles); head-office roles (compliance, audit, operations) never
hold it, whatever accounts they may see. A standing order's execution was authorised when the order was set up
(``payments.add_standingorder``), so it is not checked again each due date.
"""

from __future__ import annotations

from apps.organization.models import User
from apps.payments.errors import NotAllowedToInitiatePayment
from apps.payments.models import Channel

TRANSFER_PERMISSION = "payments.add_transfer"
OUTGOING_PAYMENT_PERMISSION = "payments.add_outgoingpayment"


def ensure_may_initiate_transfer(initiated_by: User, *, channel: str) -> None:
    if channel == Channel.STANDING_ORDER:
        return
    _ensure(initiated_by, TRANSFER_PERMISSION, "transfers")


def ensure_may_initiate_outgoing_payment(initiated_by: User) -> None:
    _ensure(initiated_by, OUTGOING_PAYMENT_PERMISSION, "payments to other banks")


def _ensure(initiated_by: User, permission: str, what: str) -> None:
    if not initiated_by.is_active:
        raise NotAllowedToInitiatePayment("An inactive login initiates nothing.")
    if initiated_by.is_staff and not initiated_by.has_perm(permission):
        raise NotAllowedToInitiatePayment(f"Your role may not initiate {what} from a customer's account.")
