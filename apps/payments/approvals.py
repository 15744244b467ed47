"""Payments that need a second person: transfers and outgoing payments staff initiate above the threshold."""

from apps.organization.approvals import approvable
from apps.payments.services.staff_payments import (
    OUTGOING_PAYMENT_OPERATION,
    TRANSFER_OPERATION,
    run_approved_outgoing_payment,
    run_approved_transfer,
)

approvable(TRANSFER_OPERATION, permission="payments.request_large_payment")(run_approved_transfer)
approvable(OUTGOING_PAYMENT_OPERATION, permission="payments.request_large_payment")(run_approved_outgoing_payment)
