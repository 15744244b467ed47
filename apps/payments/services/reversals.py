"""What a reversed journal entry does to the payment that posted it (called by the ledger's reversal hook)."""

from __future__ import annotations

from apps.ledger.models import JournalEntry
from apps.organization.models import User
from apps.payments.models import Transfer


def mark_transfer_reversed(*, entry: JournalEntry, reversal: JournalEntry, reversed_by: User) -> None:
    """A completed transfer whose entry is reversed reads ``reversed``, linked to the reversal; idempotent.

    Runs inside ``reverse_journal_entry``'s transaction, so the status and the money never disagree.
    """
    transfer = Transfer.objects.select_for_update().filter(entry=entry).first()
    if transfer is None or transfer.status == Transfer.Status.REVERSED:
        return
    transfer.status = Transfer.Status.REVERSED
    transfer.reversal_entry = reversal
    transfer._history_user = reversed_by
    transfer._change_reason = f"reversed by JE{reversal.pk}"
    transfer.save(update_fields=["status", "reversal_entry"])
