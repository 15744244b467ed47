"""Deposit operations that need a second person: unfreezing, closing, cash above a teller's limit, product changes."""

from typing import Any

from apps.accounts.models import Account
from apps.accounts.services.lifecycle import CLOSE, UNFREEZE, close_account, unfreeze_account
from apps.accounts.services.products import CHANGE_PRODUCT, apply_product_change
from apps.accounts.services.teller import CASH_OPERATION, run_approved_cash_operation
from apps.organization.approvals import approvable
from apps.organization.models import User


@approvable(UNFREEZE, permission="accounts.freeze_account")
def run_unfreeze(*, parameters: dict[str, Any], actor: User, maker: User) -> dict[str, Any]:
    account = unfreeze_account(account=Account.objects.get(pk=parameters["account_id"]), actor=actor)
    return {"account": account.number, "status": account.status}


@approvable(CLOSE, permission="accounts.request_account_closure")
def run_closure(*, parameters: dict[str, Any], actor: User, maker: User) -> dict[str, Any]:
    account = close_account(account=Account.objects.get(pk=parameters["account_id"]), actor=actor,
                            payout_to=parameters.get("payout_to", "cash"))
    return {"account": account.number, "status": account.status}


approvable(CASH_OPERATION, permission="accounts.operate_cash")(run_approved_cash_operation)

approvable(CHANGE_PRODUCT, permission="accounts.change_depositproduct",
           checker_permission="accounts.change_depositproduct")(apply_product_change)
