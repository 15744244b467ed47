"""What an outgoing payment's outcome means to the domain whose money it carried. Payments sits below the domains
that pay out through it (loans), so it cannot update their rows itself; a domain registers a hook from its
AppConfig.ready(), for the payments of one ``source``::

    register_payment_outcome_hook(PaymentSource.LOAN_DISBURSEMENT, loan_payout_finished)

When an outgoing payment of that source settles, or is rejected or returned (its initiation entry reversed),
``run_payment_outcome_hooks`` calls the hook with the payment (its new status set, not yet saved), under the
payment's row lock and inside the transaction that records the outcome: the hook's writes commit or roll back with
it, and a hook that raises rolls the outcome back (the webhook's retry or the poller applies it again).
An explicit registry, as ``apps.ledger.reversal_hooks``, not a Django signal: the business flow stays readable.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

PaymentOutcomeHook = Callable[..., None]  # hook(*, payment)

_HOOKS: dict[str, PaymentOutcomeHook] = {}


def register_payment_outcome_hook(source: str, hook: PaymentOutcomeHook) -> PaymentOutcomeHook:
    _HOOKS[source] = hook
    return hook


def run_payment_outcome_hooks(*, payment: Any) -> None:
    hook = _HOOKS.get(payment.source)
    if hook is not None:
        hook(payment=payment)
