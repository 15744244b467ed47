"""What a reversed entry means to the domain that posted it. The ledger sits below the domains, so it cannot
update their rows itself; a domain registers a hook from its AppConfig.ready()::

    register_reversal_hook("payments.transfer", mark_transfer_reversed)

``reverse_journal_entry`` calls every hook, in name order, inside its own transaction, right after the reversal
is posted (and again when the same reversal is asked for twice): a hook must be idempotent and write only rows
that belong to ``entry``; anything it raises undoes the reversal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from apps.organization.models import User

ReversalHook = Callable[..., None]  # hook(*, entry, reversal, reversed_by)

_HOOKS: dict[str, ReversalHook] = {}


def register_reversal_hook(name: str, hook: ReversalHook) -> ReversalHook:
    _HOOKS[name] = hook
    return hook


def run_reversal_hooks(*, entry: Any, reversal: Any, reversed_by: User) -> None:
    for name in sorted(_HOOKS):
        _HOOKS[name](entry=entry, reversal=reversal, reversed_by=reversed_by)
