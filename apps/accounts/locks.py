"""Row locks on deposit accounts, in ascending id order. Cross-domain order: customer -> account -> payment ->
loan -> ledger, so a service locks its Account rows here before post_journal_entry locks the ledger rows."""

from collections.abc import Iterable

from apps.accounts.errors import AccountNotFound
from apps.accounts.models import Account
from apps.ledger.models import LedgerAccount


def lock_accounts(account_ids: Iterable[int]) -> list[Account]:
    """Lock the accounts (evaluated: an unevaluated queryset takes no lock) and return them in id order.

    Their ledger accounts are read by a second statement, *after* the locks are held. Joined into the locking
    statement, they would come from that statement's snapshot: a transaction that waited for the lock would see
    the balance from before the debit it waited for (PostgreSQL re-reads only the locked rows), and an available
    balance computed from it could let a debit break a hold.
    """
    accounts = list(
        Account.objects.filter(pk__in=sorted(set(account_ids))).select_related("product")
        .order_by("pk").select_for_update(of=("self",))
    )
    ledgers = LedgerAccount.objects.in_bulk([account.ledger_account_id for account in accounts])
    for account in accounts:
        account.ledger_account = ledgers[account.ledger_account_id]
    return accounts


def lock_account(account: Account | int) -> Account:
    pk = account if isinstance(account, int) else account.pk
    locked = lock_accounts([pk])
    if not locked:
        raise AccountNotFound(f"Account {pk} does not exist.")
    return locked[0]
