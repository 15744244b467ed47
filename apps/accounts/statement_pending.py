"""What is pending on an account when its statement is issued: money set aside by a hold (not in the balance),
and payments that domains above accounts know of (an outgoing payment debited but not yet settled).

Accounts sits below payments, so it cannot read their rows itself; a domain registers a source from its
AppConfig.ready()::

    register_pending_source("payments.outgoing", pending_outgoing_payments)

A source takes the account and returns its pending items, oldest first, in one or two queries.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from apps.accounts.models import Account, Hold
from apps.accounts.statement_wording import grouped_account_numbers


@dataclass(frozen=True)
class PendingItem:
    since: datetime.date
    description: str
    reference: str
    amount: Decimal
    state: str  # in words: "reserved, not in the balance", "debited, not yet settled"


PendingSource = Callable[[Account], Iterable[PendingItem]]

_SOURCES: dict[str, PendingSource] = {}


def register_pending_source(name: str, source: PendingSource) -> PendingSource:
    _SOURCES[name] = source
    return source


def _active_holds(account: Account) -> list[PendingItem]:
    holds = Hold.objects.filter(account=account, status=Hold.Status.ACTIVE).order_by("placed_on", "pk")
    return [PendingItem(since=hold.placed_on, description=f"Hold: {grouped_account_numbers(hold.reason)}",
                        reference=f"until {hold.expires_on:%d %b %Y}" if hold.expires_on else "",
                        amount=hold.amount, state="reserved, not in the balance")
            for hold in holds]


def pending_items(account: Account) -> list[PendingItem]:
    """The account's active holds, then what each registered domain has pending, in name order."""
    items = _active_holds(account)
    for name in sorted(_SOURCES):
        items.extend(_SOURCES[name](account))
    return items
