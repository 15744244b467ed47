"""Advisory locks: a lock on a number rather than on a row, for work that no row stands for (one end of day at
a time; one customer's payments counted in turn by the fraud rules).

PostgreSQL has them (``pg_advisory_xact_lock``, ``pg_try_advisory_lock``). SQLite, the embedded demo mode, has
none and needs none for the transaction lock: every transaction there begins IMMEDIATE (``transaction_mode`` in
config/settings.py), so SQLite lets one writing transaction run at a time and the others wait for it, which
serialises them as the lock would. The session lock is a no-op there too: it always succeeds, and each
transaction of the end of day still runs alone. So on SQLite these functions do nothing, by design. Each
vendor's path is its own function, and each is run by its suite (tests/test_advisory_locks.py).
"""

from django.db import connection


def lock_for_transaction(namespace: int, key: int) -> None:
    """Wait for the lock (``namespace``, ``key``), held until the transaction ends (commit or rollback)."""
    if connection.vendor == "postgresql":
        _lock_for_transaction_postgresql(namespace, key)
    else:
        _lock_for_transaction_sqlite(namespace, key)


def try_session_lock(key: int) -> bool:
    """Take the lock ``key`` for this connection until ``release_session_lock``, whatever its transactions do;
    False, without waiting, when another connection holds it."""
    if connection.vendor == "postgresql":
        return _try_session_lock_postgresql(key)
    return _try_session_lock_sqlite(key)


def release_session_lock(key: int) -> None:
    """Give back the lock ``key`` that ``try_session_lock`` took."""
    if connection.vendor == "postgresql":
        _release_session_lock_postgresql(key)
    else:
        _release_session_lock_sqlite(key)


def _lock_for_transaction_postgresql(namespace: int, key: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [namespace, key])


def _try_session_lock_postgresql(key: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        return cursor.fetchone()[0]


def _release_session_lock_postgresql(key: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


def _lock_for_transaction_sqlite(namespace: int, key: int) -> None:
    """Nothing to do: the transaction already holds SQLite's one write lock from its BEGIN IMMEDIATE."""


def _try_session_lock_sqlite(key: int) -> bool:
    """Always taken: SQLite has no session lock (see the module's docstring)."""
    return True


def _release_session_lock_sqlite(key: int) -> None:
    """Nothing was taken."""
