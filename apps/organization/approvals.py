"""The registry of operations that need maker-checker approval.

A domain registers each sensitive operation once, next to its service::

    @approvable("ledger.reverse_journal_entry", permission="ledger.request_reversal")
    def run_reversal(*, parameters: dict, actor: User) -> dict:
        ...  # look rows up by id, call the service, return a small JSON-able result

Requesting, approving and rejecting are services in apps.organization.services.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from apps.organization.errors import UnknownOperation

Runner = Callable[..., dict[str, Any]]


@dataclass(frozen=True)
class ApprovableOperation:
    name: str
    run: Runner
    # What the maker needs to ask for it; the checker needs organization.decide_approvalrequest as well.
    permission: str
    # What the checker needs besides organization.decide_approvalrequest (None: nothing more).
    checker_permission: str | None = None


_REGISTRY: dict[str, ApprovableOperation] = {}


def approvable(name: str, *, permission: str, checker_permission: str | None = None) -> Callable[[Runner], Runner]:
    def register(run: Runner) -> Runner:
        _REGISTRY[name] = ApprovableOperation(name=name, run=run, permission=permission,
                                              checker_permission=checker_permission)
        return run

    return register


def get_operation(name: str) -> ApprovableOperation:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownOperation(f"No approvable operation is called {name!r}.") from None


def registered_operations() -> list[str]:
    return sorted(_REGISTRY)
