"""The registry of operations that need maker-checker approval.

A domain registers each sensitive operation once, next to its service::

    @approvable("ledger.reverse_journal_entry", permission="ledger.request_reversal", describe=describe_reversal)
    def run_reversal(*, parameters: dict, actor: User) -> dict:
        ...  # look rows up by id, call the service, return a small JSON-able result

``describe(parameters) -> str`` says in words what approving will do, for the checker's page ("Reverse journal
entry JE12 (…): reason"): never the raw parameters, never an idempotency key. It reads the rows it names (one
request at a time); a row gone since the request was made falls back to the request's summary.

Requesting, approving and rejecting are services in apps.organization.services.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ObjectDoesNotExist

from apps.organization.errors import UnknownOperation

Runner = Callable[..., dict[str, Any]]
Describer = Callable[[dict[str, Any]], str]


@dataclass(frozen=True)
class ApprovableOperation:
    name: str
    run: Runner
    # What the maker needs to ask for it; the checker needs organization.decide_approvalrequest as well.
    permission: str
    # What the checker needs besides organization.decide_approvalrequest (None: nothing more).
    checker_permission: str | None = None
    # True: holding ``checker_permission`` is enough to decide, without organization.decide_approvalrequest. For
    # a role that must check its own domain's four-eyes work (compliance: typology settings, case closures, SARs)
    # but may not decide the bank's other requests (payments, reversals, closures that move money).
    checker_permission_suffices: bool = False
    # What approving will do, in words, from the parameters (None: the request's summary says it).
    describe: Describer | None = None


_REGISTRY: dict[str, ApprovableOperation] = {}


def approvable(name: str, *, permission: str, checker_permission: str | None = None,
               describe: Describer | None = None, checker_permission_suffices: bool = False,
               ) -> Callable[[Runner], Runner]:
    if checker_permission_suffices and not checker_permission:
        raise ValueError(f"{name}: checker_permission_suffices needs a checker_permission.")

    def register(run: Runner) -> Runner:
        _REGISTRY[name] = ApprovableOperation(name=name, run=run, permission=permission,
                                              checker_permission=checker_permission, describe=describe,
                                              checker_permission_suffices=checker_permission_suffices)
        return run

    return register


def get_operation(name: str) -> ApprovableOperation:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownOperation(f"No approvable operation is called {name!r}.") from None


def registered_operations() -> list[str]:
    return sorted(_REGISTRY)


def describe_request(operation: str, parameters: dict[str, Any], summary: str) -> str:
    """What approving the request will do, in words: its operation's ``describe``, else the summary."""
    registered = _REGISTRY.get(operation)
    if registered is None or registered.describe is None or not isinstance(parameters, dict):
        return summary
    try:
        return registered.describe(parameters)
    except (KeyError, ObjectDoesNotExist):  # a row the request names is gone: the summary made at the time
        return summary


def operations_decidable_by_checker_permission(user: Any) -> list[str]:
    """The operations ``user`` may decide by holding their checker permission alone (without
    organization.decide_approvalrequest)."""
    return sorted(name for name, registered in _REGISTRY.items()
                  if registered.checker_permission_suffices and user.has_perm(registered.checker_permission))


def may_decide(user: Any, operation: str) -> bool:
    """Whether ``user``'s role decides requests for ``operation`` at all (the service checks the rest: not their
    own, their branch, pending)."""
    registered = _REGISTRY.get(operation)
    if user.has_perm("organization.decide_approvalrequest"):
        return registered is None or not registered.checker_permission \
            or user.has_perm(registered.checker_permission)
    return registered is not None and registered.checker_permission_suffices \
        and user.has_perm(registered.checker_permission)


def decides_any_request(user: Any) -> bool:
    return (user.has_perm("organization.decide_approvalrequest")
            or bool(operations_decidable_by_checker_permission(user)))


def operations_not_decidable_by(user: Any) -> list[str]:
    """The registered operations whose checker must hold a permission ``user`` lacks."""
    return sorted(name for name, registered in _REGISTRY.items()
                  if registered.checker_permission and not user.has_perm(registered.checker_permission))
