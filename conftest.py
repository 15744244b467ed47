"""Fixtures shared by every app's tests: the bank, its branches, and staff in each role."""

import datetime
import os

import pytest
from django.core.cache import cache

from apps.organization import roles
from apps.organization.services import assign_role
from apps.organization.tests.factories import BankFactory, StaffFactory, open_test_branch

CLOCK_SHIFT_DAYS = int(os.environ.get("OGPGY_TEST_CLOCK_SHIFT_DAYS") or 0)


def pytest_configure(config):
    """OGPGY_TEST_CLOCK_SHIFT_DAYS=N runs the whole suite with the wall clock N days ahead (CI uses 400+): the
    suite must not depend on today's date, nor on the calendar agreeing with the bank's business date.
    time-machine moves the clock every thread of this process reads (datetime, date.today, time.time) and
    keeps it ticking; the monotonic clock that timeouts and sleeps use is left alone."""
    if CLOCK_SHIFT_DAYS:
        import time_machine

        moved = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=CLOCK_SHIFT_DAYS)
        config._ogpgy_clock = time_machine.travel(moved, tick=True)
        config._ogpgy_clock.start()


def pytest_unconfigure(config):
    clock = getattr(config, "_ogpgy_clock", None)
    if clock is not None:
        clock.stop()


def pytest_report_header(config):
    if CLOCK_SHIFT_DAYS:
        return f"clock moved {CLOCK_SHIFT_DAYS} days ahead: today is {datetime.date.today().isoformat()}"
    return None


RACE_NEEDS_POSTGRESQL = "real threads racing for PostgreSQL's row locks"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """``postgresql_only`` must say why (collection fails otherwise); ``race`` implies it. On another database the
    ``postgresql_only`` tests are deselected (not skipped), as ``-m "not postgresql_only"`` does: this hook runs
    before ``-m`` is applied."""
    missing = []
    for item in items:
        marker = item.get_closest_marker("postgresql_only")
        if marker is None:
            if item.get_closest_marker("race") is not None:
                item.add_marker(pytest.mark.postgresql_only(reason=RACE_NEEDS_POSTGRESQL))
            continue
        reason = marker.kwargs.get("reason", marker.args[0] if marker.args else "")
        if not isinstance(reason, str) or not reason.strip():
            missing.append(item.nodeid)
    if missing:
        raise pytest.UsageError(
            "@pytest.mark.postgresql_only needs reason=\"why\" (what PostgreSQL has that the test needs): "
            + ", ".join(missing))

    from django.db import connection

    if connection.vendor != "postgresql":
        deselected = [item for item in items if item.get_closest_marker("postgresql_only") is not None]
        if deselected:
            config.hook.pytest_deselected(items=deselected)
            items[:] = [item for item in items if item.get_closest_marker("postgresql_only") is None]


@pytest.fixture(autouse=True)
def _clear_cache_between_tests():
    """Throttle counters, lockouts and circuit breakers live in Redis under this run's key prefix; each test
    starts clean. Only this run's keys are deleted: ``cache.clear()`` would FLUSHDB the whole Redis database,
    under any other test run or process sharing it."""
    yield
    from django.conf import settings

    prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    if "redis" in settings.CACHES["default"]["BACKEND"].lower() and prefix:
        client = cache._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _celery_eager_join_flag_reset():
    """Celery's eager ``apply_async`` sets a process-wide "joining a result would block" flag around the task and
    puts back the value it found (``celery.result.denied_join_result``). Two threads running eager tasks at once
    (the race tests: each committed deposit delivers its ``money.moved`` event eagerly) can put back each other's
    True, and every later ``result.get()`` in the run then fails with "Never call result.get() within a task!".
    Each test starts with the flag as a process that runs no task has it. Eager mode is the tests' and the
    embedded demo's only; a worker process sets the flag itself."""
    from celery._state import _set_task_join_will_block

    _set_task_join_will_block(False)
    yield
    _set_task_join_will_block(False)


@pytest.fixture
def bank(db):
    return BankFactory()


@pytest.fixture
def branch_a(bank):
    return open_test_branch(bank, "LIS01", "Lisbon")


@pytest.fixture
def branch_b(bank):
    return open_test_branch(bank, "POR01", "Porto")


@pytest.fixture
def teller_a(branch_a):
    return StaffFactory(role=roles.TELLER, home_branch=branch_a)


@pytest.fixture
def teller_b(branch_b):
    return StaffFactory(role=roles.TELLER, home_branch=branch_b)


@pytest.fixture
def manager_a(branch_a):
    return StaffFactory(role=roles.BRANCH_MANAGER, home_branch=branch_a)


@pytest.fixture
def manager_b(branch_b):
    return StaffFactory(role=roles.BRANCH_MANAGER, home_branch=branch_b)


@pytest.fixture
def loan_officer(branch_a):
    return StaffFactory(role=roles.LOAN_OFFICER, home_branch=branch_a)


@pytest.fixture
def auditor(branch_a):
    return StaffFactory(role=roles.AUDITOR, home_branch=branch_a)


@pytest.fixture
def compliance_officer(branch_a):
    return StaffFactory(role=roles.COMPLIANCE_OFFICER, home_branch=branch_a)


@pytest.fixture
def onboarding_compliance_officer(branch_a):
    """A compliance officer who also works a counter (the teller role too), so onboards customers: compliance
    alone onboards nobody, and a maker must never review their own customer."""
    officer = StaffFactory(role=roles.COMPLIANCE_OFFICER, home_branch=branch_a)
    assign_role(user=officer, role=roles.TELLER)
    return officer


@pytest.fixture
def ops_admin(branch_a):
    return StaffFactory(role=roles.OPERATIONS_ADMIN, home_branch=branch_a)


@pytest.fixture
def ops_checker(branch_a):
    """A second operations admin: the checker of configuration changes another one proposes."""
    return StaffFactory(role=roles.OPERATIONS_ADMIN, home_branch=branch_a)


UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connections are refused at once


def _forget_broker_connections(app) -> None:
    # The producer pool is bound to the broker URL it was first made with; drop it so the next message connects
    # to the URL configured now (Celery itself does this after a fork).
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker_down():
    """``with broker_down(): ...`` sends Celery messages to a real Redis URL where nothing listens, as in
    production (no eager mode, short connection timeouts). Outside the block the suite's eager mode is back."""
    from contextlib import contextmanager

    from config.celery import app

    outage = {"broker_url": UNREACHABLE_BROKER, "task_always_eager": False, "broker_connection_timeout": 0.5,
              "task_publish_retry_policy": {"max_retries": 1, "interval_start": 0, "interval_step": 0.1,
                                            "interval_max": 0.1}}
    saved = {name: app.conf[name] for name in outage}

    def restore():
        app.conf.update(saved)
        _forget_broker_connections(app)

    @contextmanager
    def down():
        app.conf.update(outage)
        _forget_broker_connections(app)
        try:
            yield
        finally:
            restore()

    yield down
    restore()
