"""Row locks of the ledger, always taken in ascending primary key order so that two entries touching the
same accounts can never deadlock."""

from collections.abc import Iterable

from apps.ledger.models import LedgerAccount


def lock_ledger_accounts(account_ids: Iterable[int]) -> dict[int, LedgerAccount]:
    """Lock the accounts with a stored balance among ``account_ids`` and return all of them by id.

    Accounts whose balance is derived from postings (busy house accounts) are read but not locked: nothing
    on their row changes, so no lock is needed, and taking one would serialise every transfer on it.
    """
    ids = sorted(set(account_ids))
    locked = list(
        LedgerAccount.objects.filter(pk__in=ids, balance_tracking=LedgerAccount.BalanceTracking.STORED)
        .order_by("pk")
        .select_for_update(of=("self",))
    )
    accounts = {account.pk: account for account in locked}
    missing = [pk for pk in ids if pk not in accounts]
    if missing:
        accounts.update(LedgerAccount.objects.in_bulk(missing))
    return accounts
