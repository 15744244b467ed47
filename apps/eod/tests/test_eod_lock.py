"""One end of day at a time across processes: a session advisory lock (apps.advisory_locks) on PostgreSQL.

On SQLite the lock is a no-op by design (SQLite runs one writing transaction at a time): test_eod.py runs every
end of day of the SQLite suite through that path, and tests/test_advisory_locks.py proves it takes nothing."""

import pytest

from apps.eod.errors import EodAlreadyRunning
from apps.eod.models import EodAttempt, EodRun
from apps.eod.services import _LOCK_KEY, run_eod
from apps.organization.models import Bank
from tests.database_sessions import another_session

pytestmark = [pytest.mark.django_db,
              pytest.mark.postgresql_only(reason="PostgreSQL's advisory lock, held by a second session")]


def test_end_of_day_is_refused_while_another_process_runs_one_and_nothing_happens(ops_admin):
    # given another process running end of day
    today = Bank.objects.get().current_business_date
    with another_session() as other:
        other.execute("SELECT pg_try_advisory_lock(%s)", [_LOCK_KEY])
        try:
            # when end of day is started here
            with pytest.raises(EodAlreadyRunning):
                run_eod(actor=ops_admin)
        finally:
            other.execute("SELECT pg_advisory_unlock(%s)", [_LOCK_KEY])
    # then no run was opened and the business date did not move
    assert not EodRun.objects.exists() and not EodAttempt.objects.exists()
    assert Bank.objects.get().current_business_date == today


def test_end_of_day_gives_the_lock_back_when_it_ends(ops_admin):
    # when end of day runs here
    run_eod(actor=ops_admin)
    # then another process may run the next one
    with another_session() as other:
        other.execute("SELECT pg_try_advisory_lock(%s)", [_LOCK_KEY])
        assert other.fetchone()[0] is True
        other.execute("SELECT pg_advisory_unlock(%s)", [_LOCK_KEY])
