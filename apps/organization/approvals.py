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
    # What approving will do, in words, from the parameters (None: the request's summary says it).
    describe: Describer | None = None


_REGISTRY: dict[str, ApprovableOperation] = {}


def approvable(name: str, *, permission: str, checker_permission: str | None = None,
               describe: Describer | None = None) -> Callable[[Runner], Runner]:
    def register(run: Runner) -> Runner:
        _REGISTRY[name] = ApprovableOperation(name=name, run=run, permission=permission,
                                              checker_permission=checker_permission, describe=describe)
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


def operations_not_decidable_by(user: Any) -> list[str]:
    """The registered operations whose checker must hold a permission ``user`` lacks."""
    return sorted(name for name, registered in _REGISTRY.items()
                  if registered.checker_permission and not user.has_perm(registered.checker_permission))
