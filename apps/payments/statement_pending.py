"""An account's outgoing payments that are not final yet, for its statement (registered in PaymentsConfig):
held for review, initiated or submitted, the amount already debited into clearing but not yet settled."""

from apps.accounts.account_numbers import formatted
from apps.accounts.models import Account
from apps.accounts.statement_pending import PendingItem
from apps.payments.models import OutgoingPayment

NOT_FINAL = (OutgoingPayment.Status.HELD, OutgoingPayment.Status.INITIATED, OutgoingPayment.Status.SUBMITTED)
STATE = {OutgoingPayment.Status.HELD: "debited, held for review",
         OutgoingPayment.Status.INITIATED: "debited, not yet sent",
         OutgoingPayment.Status.SUBMITTED: "debited, not yet settled"}


def pending_outgoing_payments(account: Account) -> list[PendingItem]:
    payments = OutgoingPayment.objects.filter(from_account=account, status__in=NOT_FINAL).order_by(
        "business_date", "pk").only("reference", "amount", "creditor_name", "creditor_account", "status",
                                    "business_date")
    return [PendingItem(since=payment.business_date,
                        description=f"Payment to {payment.creditor_name}, {formatted(payment.creditor_account)}",
                        reference=payment.reference, amount=payment.amount, state=STATE[payment.status])
            for payment in payments]
