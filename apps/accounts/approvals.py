"""Deposit operations that need a second person: unfreezing, closing, cash above a teller's limit, product changes."""

from typing import Any

from apps.accounts.models import Account, TellerTransaction
from apps.accounts.services.lifecycle import CLOSE, UNFREEZE, close_account, unfreeze_account
from apps.accounts.services.products import CHANGE_PRODUCT, apply_product_change
from apps.accounts.services.teller import CASH_OPERATION, run_approved_cash_operation
from apps.money import format_amount
from apps.organization.approvals import approvable
from apps.organization.configuration import describe_configuration_change
from apps.organization.models import User


def _account_in_words(account_id: int) -> str:
    account = Account.objects.select_related("customer", "product").get(pk=account_id)
    return f"account {account.number} ({account.customer.legal_name}, {account.product.name})"


def _with_reason(text: str, parameters: dict[str, Any]) -> str:
    return f"{text}: {parameters['reason']}" if parameters.get("reason") else text


def describe_unfreeze(parameters: dict[str, Any]) -> str:
    return _with_reason(f"Unfreeze {_account_in_words(parameters['account_id'])}: it returns to the status it "
                        "had before the freeze", parameters)


def describe_closure(parameters: dict[str, Any]) -> str:
    payout_to = parameters.get("payout_to", "cash")
    payout = "in cash at the branch" if payout_to == "cash" else f"to account {payout_to}"
    return _with_reason(f"Close {_account_in_words(parameters['account_id'])}, settling unposted interest and "
                        f"paying the balance out {payout}", parameters)


def describe_cash_operation(parameters: dict[str, Any]) -> str:
    amount = format_amount(parameters["amount"], parameters["currency"])
    to_or_from = "to" if parameters["kind"] == TellerTransaction.Kind.DEPOSIT else "from"
    label = "deposit" if parameters["kind"] == TellerTransaction.Kind.DEPOSIT else "withdrawal"
    return (f"Cash {label} of {amount} {to_or_from} {_account_in_words(parameters['account_id'])}, at the counter "
            "of the teller who asked (above their limit)")


@approvable(UNFREEZE, permission="accounts.freeze_account", describe=describe_unfreeze)
def run_unfreeze(*, parameters: dict[str, Any], actor: User, maker: User) -> dict[str, Any]:
    account = unfreeze_account(account=Account.objects.get(pk=parameters["account_id"]), actor=actor)
    return {"account": account.number, "status": account.status}


@approvable(CLOSE, permission="accounts.request_account_closure", describe=describe_closure)
def run_closure(*, parameters: dict[str, Any], actor: User, maker: User) -> dict[str, Any]:
    account = close_account(account=Account.objects.get(pk=parameters["account_id"]), actor=actor,
                            payout_to=parameters.get("payout_to", "cash"))
    return {"account": account.number, "status": account.status}


approvable(CASH_OPERATION, permission="accounts.operate_cash",
           describe=describe_cash_operation)(run_approved_cash_operation)

approvable(CHANGE_PRODUCT, permission="accounts.change_depositproduct",
           checker_permission="accounts.change_depositproduct",
           describe=describe_configuration_change)(apply_product_change)
