"""A second session on the test database, to see what another process would see of a lock."""

import contextlib
from collections.abc import Iterator

from django.db import DEFAULT_DB_ALIAS, connections


@contextlib.contextmanager
def another_session() -> Iterator:
    """A cursor on a new connection to the test database (autocommit: each statement is its own transaction),
    closed after."""
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with other.cursor() as cursor:
            yield cursor
    finally:
        other.close()


def can_lock_for_transaction(cursor, *key: int) -> bool:
    """Whether the session of ``cursor`` could take the advisory lock ``key`` now (it gives it back at once)."""
    cursor.execute(f"SELECT pg_try_advisory_xact_lock({', '.join(['%s'] * len(key))})", list(key))
    return cursor.fetchone()[0]
