"""Rules about what a customer's status allows, checked by the services of the layers above (accounts,
payments) before anything is written."""

from __future__ import annotations

from apps.customers.errors import CustomerMayNotSend
from apps.customers.models import Customer

# A customer in one of these statuses may not have money leave their accounts.
MAY_NOT_SEND = (Customer.Status.BLOCKED, Customer.Status.CLOSED)


def ensure_customer_may_send(customer: Customer) -> None:
    """Refuse (409, ``customer_blocked`` or ``customer_closed``) any debit initiated from an account whose owner
    is blocked or closed: transfers, outgoing payments, cash withdrawals, standing orders, the release of a held
    payment. Money coming in (deposits, incoming transfers) is not checked here and stays allowed."""
    if customer.status in MAY_NOT_SEND:
        raise CustomerMayNotSend(f"{customer.legal_name} is {customer.status}: no money may leave their accounts.",
                                 code=f"customer_{customer.status}", customer_id=customer.pk)
