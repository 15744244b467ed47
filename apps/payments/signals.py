"""What the payments domain tells the domains above it (they import payments; payments never imports them)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent under the payment's row lock, inside the transaction that settles or returns an outgoing payment, with
# ``payment`` (its new status set, not yet saved). A receiver's writes commit or roll back with the payment's; a
# receiver that raises rolls the outcome back (the gateway's news is applied again by the webhook retry or the
# poller). The loans domain listens for its loan payouts (``source`` loan_disbursement).
payment_finished = Signal()
