"""A money movement, told to whoever monitors money (apps.compliance) through the outbox.

The service that moves a customer's money calls ``publish_money_movement`` in its own transaction, beside
``post_journal_entry``: the event commits with the entry or not at all, and is delivered after commit, so
monitoring never slows or blocks the movement. One event per journal entry; a leg per customer account the
money went into or out of (a transfer between two customers has two). The payload is plain JSON (amounts as
strings), the contract between the domains that move money and the one that watches it::

    {"entry_id": 812, "kind": "transfer", "business_date": "2026-11-30", "occurred_at": "...",
     "currency": "EUR", "branch_id": null,
     "legs": [{"account_id": 4, "customer_id": 2, "direction": "out", "amount": "250.00"},
              {"account_id": 9, "customer_id": 5, "direction": "in", "amount": "250.00"}],
     "counterparty": {"name": "", "iban": "", "country": ""}}

``kind`` is one of: cash_deposit, cash_withdrawal, transfer, incoming_payment, outgoing_payment,
loan_disbursement, loan_repayment. ``counterparty`` is the other bank's side of an external payment (or the
loan's reference for a loan movement).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from apps.ledger.models import JournalEntry
from apps.outbox.models import OutboxEvent
from apps.outbox.services import publish_event

MONEY_MOVED = "money.moved"

KINDS = frozenset({"cash_deposit", "cash_withdrawal", "transfer", "incoming_payment", "outgoing_payment",
                   "loan_disbursement", "loan_repayment"})


@dataclass(frozen=True)
class MovementLeg:
    account_id: int
    customer_id: int
    direction: str  # "in" | "out"
    amount: Decimal
    # Days since the account's previous customer-initiated movement, read before this one recorded itself
    # (None: the publisher does not know; monitoring then counts from the last movement it saw).
    idle_days: int | None = None


def publish_money_movement(*, kind: str, entry: JournalEntry, currency: str, legs: Sequence[MovementLeg],
                           branch_id: int | None = None, counterparty_name: str = "", counterparty_iban: str = "",
                           counterparty_country: str = "", counterparty_reference: str = "") -> OutboxEvent:
    """Write the movement's event in the caller's transaction (call it after the entry is posted)."""
    if kind not in KINDS:
        raise ValueError(f"Unknown money movement kind {kind!r}.")
    payload = {
        "entry_id": entry.pk, "kind": kind, "business_date": str(entry.business_date),
        "occurred_at": (entry.posted_at or timezone.now()).isoformat(),
        "currency": currency, "branch_id": branch_id,
        "legs": [{"account_id": leg.account_id, "customer_id": leg.customer_id, "direction": leg.direction,
                  "amount": str(leg.amount), "idle_days": leg.idle_days} for leg in legs],
        "counterparty": {"name": counterparty_name, "iban": counterparty_iban, "country": counterparty_country,
                         "reference": counterparty_reference},
    }
    return publish_event(MONEY_MOVED, payload, aggregate=entry)
