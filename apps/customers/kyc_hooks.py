"""What KYC does when a customer is onboarded, changes identity or becomes premium. Customers sit below KYC in
the layers, so they cannot screen a customer or start its KYC check themselves; KYC registers from its
AppConfig.ready()::

    register_screening_hook("kyc.screen_customer", screen_customer)
    register_kyc_check_hook("kyc.start_kyc_check", start_kyc_check)

The customer services call the hooks, in name order, inside their own transaction, where the rule says:
screening when a customer is onboarded or their name, date of birth or country changes; the KYC check when a
customer is onboarded (after the ``customer.onboarded`` event) or upgraded to premium. A hook takes
``customer=`` and writes in the caller's transaction (work after the commit goes through ``on_commit``); anything
it raises undoes the customer's change.
"""

from __future__ import annotations

from collections.abc import Callable

from apps.customers.models import Customer

CustomerHook = Callable[..., object]  # hook(*, customer)

_SCREENING_HOOKS: dict[str, CustomerHook] = {}
_KYC_CHECK_HOOKS: dict[str, CustomerHook] = {}


def register_screening_hook(name: str, hook: CustomerHook) -> CustomerHook:
    _SCREENING_HOOKS[name] = hook
    return hook


def register_kyc_check_hook(name: str, hook: CustomerHook) -> CustomerHook:
    _KYC_CHECK_HOOKS[name] = hook
    return hook


def screen(customer: Customer) -> None:
    for name in sorted(_SCREENING_HOOKS):
        _SCREENING_HOOKS[name](customer=customer)


def start_kyc_check(customer: Customer) -> None:
    for name in sorted(_KYC_CHECK_HOOKS):
        _KYC_CHECK_HOOKS[name](customer=customer)
