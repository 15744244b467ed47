"""Row locks of the ledger, always taken in ascending primary key order so that two entries touching the
same accounts can never deadlock."""

from collections.abc import Iterable

from django.db import connection

from apps.ledger.models import LedgerAccount

_COLUMNS = [f.column for f in LedgerAccount._meta.concrete_fields]
_FIELDS = [f.attname for f in LedgerAccount._meta.concrete_fields]
_SELECT = ", ".join(f'"{column}"' for column in _COLUMNS)

# One round trip: lock the stored-balance accounts in id order, read the derived ones without a lock.
# (The column names come from the model, never from input.)
_LOCK_SQL = f"""
WITH locked AS (
    SELECT {_SELECT} FROM ledger_ledgeraccount
    WHERE id = ANY(%s) AND balance_tracking = 'stored' ORDER BY id FOR UPDATE
)
SELECT {_SELECT} FROM locked
UNION ALL
SELECT {_SELECT} FROM ledger_ledgeraccount WHERE id = ANY(%s) AND balance_tracking = 'derived'
"""


def lock_ledger_accounts(account_ids: Iterable[int]) -> dict[int, LedgerAccount]:
    """Lock the accounts with a stored balance among ``account_ids`` and return all of them by id.

    Accounts whose balance is derived from postings (busy house accounts) are read but not locked: nothing
    on their row changes, so no lock is needed, and taking one would serialise every transfer on it.
    """
    ids = sorted(set(account_ids))
    if connection.vendor == "postgresql":
        return _lock_ledger_accounts_postgresql(ids)
    return _lock_ledger_accounts_orm(ids)


def _lock_ledger_accounts_postgresql(ids: list[int]) -> dict[int, LedgerAccount]:
    """One statement (run by the PostgreSQL test run)."""
    with connection.cursor() as cursor:
        cursor.execute(_LOCK_SQL, [ids, ids])
        rows = cursor.fetchall()
    accounts = [LedgerAccount.from_db(connection.alias, _FIELDS, row) for row in rows]
    return {account.pk: account for account in accounts}


def _lock_ledger_accounts_orm(ids: list[int]) -> dict[int, LedgerAccount]:
    """Two queries through the ORM (run by the SQLite test run, where a write transaction locks the whole
    database from its start, so the row lock is moot there)."""
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
