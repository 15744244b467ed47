"""Ledger operations that need a second person: reversing a posted entry, changing a house ledger account."""

from typing import Any

from apps.ledger.models import JournalEntry
from apps.ledger.services import CHANGE_LEDGER_ACCOUNT, apply_ledger_account_change, reverse_journal_entry
from apps.organization.approvals import approvable
from apps.organization.configuration import describe_configuration_change
from apps.organization.models import User


def describe_reversal(parameters: dict[str, Any]) -> str:
    entry = JournalEntry.objects.get(pk=parameters["entry_id"])
    return (f"Reverse journal entry JE{entry.pk} ({entry.description}, business date {entry.business_date:%Y-%m-%d}) "
            f"with an entry of the opposite sides: {parameters['reason']}")


@approvable("ledger.reverse_journal_entry", permission="ledger.request_reversal", describe=describe_reversal)
def run_reversal(*, parameters: dict[str, Any], actor: User, maker: User) -> dict[str, Any]:
    entry = JournalEntry.objects.get(pk=parameters["entry_id"])
    reversal = reverse_journal_entry(entry=entry, reason=parameters["reason"], reversed_by=actor)
    return {"reversal_entry_id": reversal.pk}


approvable(CHANGE_LEDGER_ACCOUNT, permission="ledger.change_ledgeraccount",
           checker_permission="ledger.change_ledgeraccount",
           describe=describe_configuration_change)(apply_ledger_account_change)
