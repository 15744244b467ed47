"""Advisory locks on each database (apps/advisory_locks.py): on PostgreSQL they keep a second session out; on
SQLite they are no-ops by design, as SQLite runs one writing transaction at a time (BEGIN IMMEDIATE)."""

import pytest
from django.db import connection, transaction

from apps import advisory_locks
from apps.advisory_locks import lock_for_transaction, release_session_lock, try_session_lock
from tests.database_sessions import another_session, can_lock_for_transaction

NAMESPACE, KEY = 0x54455354, 42  # "TEST"
SESSION_KEY = 4242

on_postgresql = pytest.mark.postgresql_only(reason="PostgreSQL's advisory locks, seen from a second session")


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_transaction_lock_keeps_another_session_out_until_the_transaction_ends():
    with another_session() as other:
        # when a transaction takes the lock
        with transaction.atomic():
            lock_for_transaction(NAMESPACE, KEY)
            # then another session cannot take it, while a different key is free
            assert not can_lock_for_transaction(other, NAMESPACE, KEY)
            assert can_lock_for_transaction(other, NAMESPACE, KEY + 1)
        # and the commit gave it back
        assert can_lock_for_transaction(other, NAMESPACE, KEY)


@on_postgresql
@pytest.mark.django_db
def test_a_session_lock_is_refused_while_another_session_holds_it():
    with another_session() as other:
        # given another session holding the lock
        other.execute("SELECT pg_try_advisory_lock(%s)", [SESSION_KEY])
        # then this session cannot take it until the other gives it back
        assert try_session_lock(SESSION_KEY) is False
        other.execute("SELECT pg_advisory_unlock(%s)", [SESSION_KEY])
        assert try_session_lock(SESSION_KEY) is True
        # and while this one holds it, the other is kept out until it is released
        assert not can_lock_for_transaction(other, SESSION_KEY)
        release_session_lock(SESSION_KEY)
        assert can_lock_for_transaction(other, SESSION_KEY)


@pytest.mark.django_db
def test_the_sqlite_locks_are_no_ops_as_each_writing_transaction_runs_alone(django_assert_num_queries):
    # given SQLite beginning every transaction IMMEDIATE, so writers wait for one another anyway (see
    # config/test_settings_sqlite.py); its path is called by name so that both suites run it
    if connection.vendor == "sqlite":
        assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    # then the locks send nothing to the database, and the session lock is always taken
    with transaction.atomic(), django_assert_num_queries(0):
        advisory_locks._lock_for_transaction_sqlite(NAMESPACE, KEY)
        assert advisory_locks._try_session_lock_sqlite(SESSION_KEY) is True
        assert advisory_locks._try_session_lock_sqlite(SESSION_KEY) is True
        advisory_locks._release_session_lock_sqlite(SESSION_KEY)


@pytest.mark.django_db
def test_each_database_takes_its_own_path(monkeypatch):
    # the public functions dispatch on the connection's vendor to the named function of that vendor
    called = []
    for name in ("_lock_for_transaction", "_try_session_lock", "_release_session_lock"):
        monkeypatch.setattr(advisory_locks, f"{name}_{connection.vendor}",
                            lambda *args, name=name: called.append(name) or True)
    with transaction.atomic():
        lock_for_transaction(NAMESPACE, KEY)
        try_session_lock(SESSION_KEY)
        release_session_lock(SESSION_KEY)
    assert called == ["_lock_for_transaction", "_try_session_lock", "_release_session_lock"]
