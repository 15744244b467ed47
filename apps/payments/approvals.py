"""Payments that need a second person: transfers and outgoing payments staff initiate above the threshold, and
changes of fee schedules, transfer limits and fraud rules."""

from typing import Any

from apps.money import format_amount
from apps.organization.approvals import approvable
from apps.organization.configuration import describe_configuration_change
from apps.organization.models import User
from apps.payments.services.initiators import OUTGOING_PAYMENT_PERMISSION, TRANSFER_PERMISSION
from apps.payments.services.settings_changes import PAYMENT_SETTINGS, PaymentSetting, apply_payment_setting_change
from apps.payments.services.staff_payments import (
    OUTGOING_PAYMENT_OPERATION,
    TRANSFER_OPERATION,
    run_approved_outgoing_payment,
    run_approved_transfer,
)


def describe_transfer(parameters: dict[str, Any]) -> str:
    reference = f", reference \u201c{parameters['reference']}\u201d" if parameters.get("reference") else ""
    return (f"Transfer {format_amount(parameters['amount'], parameters['currency'])} from account "
            f"{parameters['from_account']} to account {parameters['to_account']}{reference}, "
            "in the name of the staff member who asked")


def describe_outgoing_payment(parameters: dict[str, Any]) -> str:
    bic = f", {parameters['creditor_bic']}" if parameters.get("creditor_bic") else ""
    remittance = (f": \u201c{parameters['remittance_information']}\u201d"
                  if parameters.get("remittance_information") else "")
    return (f"Pay {format_amount(parameters['amount'], parameters['currency'])} from account "
            f"{parameters['from_account']} to {parameters['creditor_name']}, {parameters['creditor_account']}"
            f"{bic} ({parameters['creditor_country']}), by {str(parameters['rail']).upper()}{remittance}")


# The checker of a payment must be someone who may initiate one too (a branch manager): approving it moves the
# money as surely as initiating it, so head-office roles that decide other requests do not decide these.
approvable(TRANSFER_OPERATION, permission="payments.request_large_payment",
           checker_permission=TRANSFER_PERMISSION, describe=describe_transfer)(run_approved_transfer)
approvable(OUTGOING_PAYMENT_OPERATION, permission="payments.request_large_payment",
           checker_permission=OUTGOING_PAYMENT_PERMISSION,
           describe=describe_outgoing_payment)(run_approved_outgoing_payment)


def _register(setting: PaymentSetting) -> None:
    def run(*, parameters: dict[str, Any], actor: User, maker: User) -> dict[str, Any]:
        return apply_payment_setting_change(setting=setting, parameters=parameters, actor=actor, maker=maker)

    approvable(setting.operation, permission=setting.change_permission,
               checker_permission=setting.change_permission, describe=describe_configuration_change)(run)


for _setting in PAYMENT_SETTINGS.values():
    _register(_setting)
