"""Row locks of screening, taken in ascending primary key order, in one query each.

An import locks every entry of the lists it replaces before it changes or delists any; screening locks the
entries a batch matched, *shared*, before recording hits against them, and keeps only those still listed. So an
import delisting an entry either waits for a hit being recorded against it (and then closes it) or commits first
(and the hit is never recorded): no open hit is left on a delisted entry. Shared locks do not block one another,
so re-screening batches never wait for each other.
"""

from collections.abc import Iterable

from django.db import connection

from apps.kyc.models import ScreeningEntry

# The table name comes from the model, never from input.
_SHARE_LISTED_SQL = (f"SELECT id FROM {ScreeningEntry._meta.db_table} "  # noqa: S608
                     "WHERE id = ANY(%s) AND delisted_at IS NULL ORDER BY id FOR SHARE")


def lock_list_entries(list_names: Iterable[str]) -> list[ScreeningEntry]:
    """Every entry of these lists, listed or delisted, locked for the import that replaces them."""
    return list(ScreeningEntry.objects.filter(list_name__in=sorted(set(list_names))).order_by("pk")
                .select_for_update(no_key=True))


def share_lock_listed_entries(entry_ids: Iterable[int]) -> set[int]:
    """Of ``entry_ids``, those still listed, locked shared until the end of the transaction."""
    ids = sorted(set(entry_ids))
    if not ids:
        return set()
    if connection.vendor == "postgresql":
        return _share_lock_listed_entries_postgresql(ids)
    return _listed_entries_sqlite(ids)


def _share_lock_listed_entries_postgresql(ids: list[int]) -> set[int]:
    """FOR SHARE, which Django has no way to ask for (run by the PostgreSQL suite)."""
    with connection.cursor() as cursor:
        cursor.execute(_SHARE_LISTED_SQL, [ids])
        return {row[0] for row in cursor.fetchall()}


def _listed_entries_sqlite(ids: list[int]) -> set[int]:
    """No row lock (run by the SQLite suite): every transaction there begins IMMEDIATE and holds SQLite's one
    write lock until it ends, so an import cannot delist an entry while a hit is being recorded against it."""
    return set(ScreeningEntry.objects.filter(pk__in=ids, delisted_at__isnull=True).values_list("pk", flat=True))
