"""The thread-race harness of the PostgreSQL race tests: real threads released together behind a barrier.

Each thread runs ``work(index)`` on its own database connection (closed when it is done); what a thread raises
is collected, never lost, so the test can assert that nothing failed but what the race may refuse.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection


def run_in_threads(work: Callable[[int], object], *, threads: int, timeout: float = 120) -> list[BaseException]:
    """Start ``threads`` threads that wait for each other, then all call ``work`` with their index at once;
    return what they raised."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(threads)

    def run(index: int) -> None:
        try:
            barrier.wait()
            work(index)
        except BaseException as error:  # every failure is reported by the test
            errors.append(error)
        finally:
            connection.close()

    started = [threading.Thread(target=run, args=(index,)) for index in range(threads)]
    for thread in started:
        thread.start()
    for thread in started:
        thread.join(timeout=timeout)
    # Celery's process-wide join flag the threads' eager tasks may leave set is cleared before each test
    # (conftest.py, _celery_eager_join_flag_reset).
    return errors
