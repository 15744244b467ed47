"""Checks of the ledger's integrity that belong to the domains above it, run by ``manage.py ledger_check`` after
its own (balances against postings, balanced entries, the trial balance). The ledger sits below those domains,
so it cannot import their checks; a domain registers one from its AppConfig.ready()::

    register_integrity_check("eod.seal_chain", seal_chain_check)

A check takes no argument, only reads, and returns an ``IntegrityReport``: one line per problem (printed on
stderr, each one fails the check) and a one-line summary of what it verified (printed on stdout). Checks run in
name order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class IntegrityReport:
    summary: str
    problems: list[str] = field(default_factory=list)


IntegrityCheck = Callable[[], IntegrityReport]

_CHECKS: dict[str, IntegrityCheck] = {}


def register_integrity_check(name: str, check: IntegrityCheck) -> IntegrityCheck:
    _CHECKS[name] = check
    return check


def run_integrity_checks() -> list[IntegrityReport]:
    return [report for _, report in run_named_integrity_checks()]


def run_named_integrity_checks() -> list[tuple[str, IntegrityReport]]:
    """Each check's name (``eod.seal_chain``) with its report, in name order: the ledger check page shows both."""
    return [(name, _CHECKS[name]()) for name in sorted(_CHECKS)]
