"""Payments that need a second person: transfers and outgoing payments staff initiate above the threshold, and
changes of fee schedules, transfer limits and fraud rules."""

from typing import Any

from apps.organization.approvals import approvable
from apps.organization.models import User
from apps.payments.services.initiators import OUTGOING_PAYMENT_PERMISSION, TRANSFER_PERMISSION
from apps.payments.services.settings_changes import PAYMENT_SETTINGS, PaymentSetting, apply_payment_setting_change
from apps.payments.services.staff_payments import (
    OUTGOING_PAYMENT_OPERATION,
    TRANSFER_OPERATION,
    run_approved_outgoing_payment,
    run_approved_transfer,
)

# The checker of a payment must be someone who may initiate one too (a branch manager): approving it moves the
# money as surely as initiating it, so head-office roles that decide other requests do not decide these.
approvable(TRANSFER_OPERATION, permission="payments.request_large_payment",
           checker_permission=TRANSFER_PERMISSION)(run_approved_transfer)
approvable(OUTGOING_PAYMENT_OPERATION, permission="payments.request_large_payment",
           checker_permission=OUTGOING_PAYMENT_PERMISSION)(run_approved_outgoing_payment)


def _register(setting: PaymentSetting) -> None:
    def run(*, parameters: dict[str, Any], actor: User, maker: User) -> dict[str, Any]:
        return apply_payment_setting_change(setting=setting, parameters=parameters, actor=actor, maker=maker)

    approvable(setting.operation, permission=setting.change_permission,
               checker_permission=setting.change_permission)(run)


for _setting in PAYMENT_SETTINGS.values():
    _register(_setting)
