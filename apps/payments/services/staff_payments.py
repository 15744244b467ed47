"""Maker-checker on large staff-initiated payments.

Staff channels (the API for staff users) go through ``submit_transfer`` and ``submit_outgoing_payment``: up to
the approval threshold of the payment's currency (STAFF_PAYMENT_APPROVAL_THRESHOLDS) the payment runs at once;
above it an approval request is recorded instead and nothing moves. Approving it (another person with
``organization.decide_approvalrequest``, see apps.organization.services.approve_request) runs the payment
through the same service, once: the request is decided under its row lock, and the payment keeps the maker's
idempotency key.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from apps.accounts.account_numbers import validate_account_number
from apps.accounts.models import Account
from apps.ledger.thresholds import is_above
from apps.money import Money
from apps.organization.models import ApprovalRequest, User
from apps.organization.services import request_approval
from apps.payments.bank_identifiers import validate_bic, validate_iban
from apps.payments.errors import PaymentBlockedByFraudRule
from apps.payments.models import Channel, OutgoingPayment, Transfer
from apps.payments.pricing import ensure_positive_amount
from apps.payments.selectors import payer_accounts_of
from apps.payments.services.external import initiate_outgoing_payment
from apps.payments.services.initiators import ensure_may_initiate_outgoing_payment, ensure_may_initiate_transfer
from apps.payments.services.transfers import resolve_payer_account, transfer_between_accounts
from apps.payments.thresholds import staff_approval_threshold

TRANSFER_OPERATION = "payments.transfer"
OUTGOING_PAYMENT_OPERATION = "payments.outgoing_payment"


def needs_checker(*, initiated_by: User, money: Money) -> bool:
    """Staff initiated it, above the approval threshold of its currency (a currency without one: any amount)."""
    return bool(initiated_by.is_staff) and is_above(money, staff_approval_threshold(money.currency))


def _pending_or_new(*, operation: str, maker: User, parameters: dict, summary: str) -> ApprovalRequest:
    pending = ApprovalRequest.objects.filter(operation=operation, maker=maker,
                                             parameters__idempotency_key=parameters["idempotency_key"]).first()
    if pending is not None:
        return pending
    return request_approval(operation=operation, parameters=parameters, summary=summary, maker=maker)


def submit_transfer(*, from_account_number: str, to_account_number: str, money: Money, reference: str,
                    channel: str, initiated_by: User, idempotency_key: str,
                    payer_accounts: QuerySet[Account] | None, beneficiary_id: int | None = None,
                    ) -> Transfer | ApprovalRequest:
    """A transfer now, or — staff above the threshold — an approval request (the same key returns it again).
    Refused before either if the initiator's role may not initiate transfers."""
    ensure_may_initiate_transfer(initiated_by, channel=channel)
    if not needs_checker(initiated_by=initiated_by, money=money) or Transfer.objects.filter(
            initiated_by=initiated_by, idempotency_key=idempotency_key).exists():
        return transfer_between_accounts(
            from_account_number=from_account_number, to_account_number=to_account_number, money=money,
            reference=reference, channel=channel, initiated_by=initiated_by, idempotency_key=idempotency_key,
            payer_accounts=payer_accounts, beneficiary_id=beneficiary_id)
    ensure_positive_amount(money)
    payer_id = resolve_payer_account(from_account_number, payer_accounts)  # the maker may debit it
    payer_number = Account.objects.values_list("number", flat=True).get(pk=payer_id)
    to_number = validate_account_number(to_account_number)
    return _pending_or_new(
        operation=TRANSFER_OPERATION, maker=initiated_by,
        parameters={"from_account": payer_number, "to_account": to_number, "amount": str(money.amount),
                    "currency": money.currency, "reference": reference, "idempotency_key": idempotency_key,
                    "beneficiary": beneficiary_id, "channel": channel},
        summary=f"Transfer of {money} from {payer_number} to {to_number} by {initiated_by.username}",
    )


def submit_outgoing_payment(*, from_account_number: str, money: Money, rail: str, creditor_name: str,
                            creditor_account: str, creditor_country: str, initiated_by: User, idempotency_key: str,
                            remittance_information: str = "", payer_accounts: QuerySet[Account] | None = None,
                            beneficiary_id: int | None = None, creditor_bic: str = "",
                            ) -> OutgoingPayment | ApprovalRequest:
    """A payment to another bank now, or — staff above the threshold — an approval request. Refused before
    either if the initiator's role may not initiate payments to other banks, or if the IBAN or BIC is not valid
    (so no request is recorded for a payment that could never run)."""
    ensure_may_initiate_outgoing_payment(initiated_by)
    creditor_account = validate_iban(creditor_account)
    creditor_bic = validate_bic(creditor_bic) if creditor_bic else ""
    order = {"from_account_number": from_account_number, "money": money, "rail": rail,
             "creditor_name": creditor_name, "creditor_account": creditor_account,
             "creditor_country": creditor_country, "remittance_information": remittance_information,
             "beneficiary_id": beneficiary_id, "creditor_bic": creditor_bic}
    if not needs_checker(initiated_by=initiated_by, money=money) or OutgoingPayment.objects.filter(
            initiated_by=initiated_by, idempotency_key=idempotency_key).exists():
        return initiate_outgoing_payment(**order, initiated_by=initiated_by, idempotency_key=idempotency_key,
                                         payer_accounts=payer_accounts)
    payer_id = resolve_payer_account(from_account_number, payer_accounts)
    payer_number = Account.objects.values_list("number", flat=True).get(pk=payer_id)
    return _pending_or_new(
        operation=OUTGOING_PAYMENT_OPERATION, maker=initiated_by,
        parameters={"from_account": payer_number, "amount": str(money.amount), "currency": money.currency,
                    "rail": rail, "creditor_name": creditor_name, "creditor_account": creditor_account,
                    "creditor_bic": creditor_bic,
                    "creditor_country": creditor_country, "remittance_information": remittance_information,
                    "idempotency_key": idempotency_key, "beneficiary": beneficiary_id},
        summary=f"Payment of {money} from {payer_number} to {creditor_name} ({creditor_account}) "
                f"by {initiated_by.username}",
    )


def _outcome(payment: Transfer | OutgoingPayment) -> dict[str, Any]:
    if isinstance(payment, Transfer):
        return {"transfer": payment.pk, "status": payment.status}
    return {"outgoing_payment": payment.reference, "status": payment.status}


def run_approved_transfer(*, parameters: dict, actor: User, maker: User) -> dict[str, Any]:
    """Maker-checker runner: the transfer the maker asked for, through the one transfer service, in the
    maker's name and with the maker's idempotency key (so it can run only once)."""
    return _run_screened(lambda: transfer_between_accounts(
        from_account_number=parameters["from_account"], to_account_number=parameters["to_account"],
        money=Money(parameters["amount"], parameters["currency"]), reference=parameters["reference"],
        channel=parameters.get("channel", Channel.BRANCH), initiated_by=maker,
        idempotency_key=parameters["idempotency_key"], payer_accounts=payer_accounts_of(maker),
        beneficiary_id=parameters.get("beneficiary")))


def run_approved_outgoing_payment(*, parameters: dict, actor: User, maker: User) -> dict[str, Any]:
    return _run_screened(lambda: initiate_outgoing_payment(
        from_account_number=parameters["from_account"], money=Money(parameters["amount"], parameters["currency"]),
        rail=parameters["rail"], creditor_name=parameters["creditor_name"],
        creditor_account=parameters["creditor_account"], creditor_country=parameters["creditor_country"],
        remittance_information=parameters["remittance_information"], initiated_by=maker,
        idempotency_key=parameters["idempotency_key"], payer_accounts=payer_accounts_of(maker),
        beneficiary_id=parameters.get("beneficiary"), creditor_bic=parameters.get("creditor_bic", "")))


def _run_screened(run) -> dict[str, Any]:
    """A fraud rule may still block the approved payment. The refusal then becomes the request's result
    instead of an error: an error would roll the approval's transaction back, and the fraud decision with it;
    this way the decision stays recorded and the request is closed with what happened."""
    try:
        return _outcome(run())
    except PaymentBlockedByFraudRule as blocked:
        return {"status": "blocked_by_fraud_rule", "detail": str(blocked)}
