"""Screening locks the entries it matched, shared, and keeps only those still listed (apps.kyc.locks).

The listed-only rule runs in both suites; the shared row lock is PostgreSQL's (FOR SHARE), seen from a second
session. On SQLite there is no row lock, by design: every transaction begins IMMEDIATE and holds SQLite's one write
lock, so no import can delist an entry while a hit is recorded against it."""

import pytest
from django.db import OperationalError, transaction

from apps.kyc.locks import share_lock_listed_entries
from apps.kyc.models import ScreeningEntry
from apps.kyc.tests.factories import ListRowFactory, import_list
from tests.database_sessions import another_session

ENTRIES = ScreeningEntry._meta.db_table


def _ivan_delisted_hans_listed() -> tuple[ScreeningEntry, ScreeningEntry]:
    ivan, hans = ListRowFactory(name="Ivan Petrov", source_id="EU-1"), ListRowFactory(name="Hans Gruber")
    import_list(ivan, hans)
    import_list(hans)
    return ScreeningEntry.objects.get(source_id="EU-1"), ScreeningEntry.objects.get(source_id=hans["source_id"])


@pytest.mark.django_db
def test_only_the_entries_still_listed_are_kept(bank):
    # given an entry delisted and one listed
    ivan, hans = _ivan_delisted_hans_listed()
    # then the lock keeps the listed one only, and takes nothing for no entry
    with transaction.atomic():
        assert share_lock_listed_entries([ivan.pk, hans.pk, hans.pk]) == {hans.pk}
        assert share_lock_listed_entries([]) == set()


@pytest.mark.postgresql_only(reason="PostgreSQL's FOR SHARE row lock, seen from a second session")
@pytest.mark.django_db(transaction=True)
def test_a_listed_entry_is_locked_shared_until_the_screening_commits(bank):
    _, hans = _ivan_delisted_hans_listed()
    with another_session() as other:
        with transaction.atomic():
            # when screening locks the entry
            share_lock_listed_entries([hans.pk])
            # then an import cannot lock it to delist it, while other screenings may share it
            with pytest.raises(OperationalError):
                other.execute(f"SELECT id FROM {ENTRIES} WHERE id = %s FOR NO KEY UPDATE NOWAIT", [hans.pk])  # noqa: S608
            other.execute(f"SELECT id FROM {ENTRIES} WHERE id = %s FOR SHARE NOWAIT", [hans.pk])  # noqa: S608
            assert other.fetchone() == (hans.pk,)
        # and the commit gives it back
        other.execute(f"SELECT id FROM {ENTRIES} WHERE id = %s FOR NO KEY UPDATE NOWAIT", [hans.pk])  # noqa: S608
        assert other.fetchone() == (hans.pk,)
