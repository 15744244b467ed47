"""Monitoring's end-of-day step: it retries what is unevaluated, runs the window typologies over each
customer's window ending on the business date it is given, is idempotent per date, and reports what is still
not evaluated (and what the outbox has not delivered yet)."""

import datetime

import pytest

from apps.accounts.tests.factories import deposit, open_funded_account
from apps.compliance.models import Alert, EvaluationFailure, TypologySetting
from apps.compliance.services.end_of_day import monitor_business_date
from apps.compliance.tests.typology_doubles import Broken, TwoInADay
from apps.eod_registry import open_items, registered_steps
from apps.loans.tests.loan_factories import set_business_date

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 11, 30)


@pytest.fixture
def two_in_a_day(library_with):
    library_with(TwoInADay)
    TwoInADay.failing = False
    yield TypologySetting.objects.create(typology=TwoInADay.code, currency="EUR", parameters={"at_least": 2})
    TwoInADay.failing = False


@pytest.fixture
def busy_day(customer, savings, teller_a, django_capture_on_commit_callbacks):
    """The customer's account funded and paid into once more on DAY; then the bank moves on to the next day."""
    set_business_date(DAY)
    with django_capture_on_commit_callbacks(execute=True):
        account = open_funded_account(customer, savings, "100.00", teller=teller_a)
        deposit(account, "40.00", teller=teller_a)
    set_business_date(DAY + datetime.timedelta(days=1))
    return account


def test_the_step_is_registered_at_700():
    step = next(s for s in registered_steps() if s.name == "compliance.monitor")
    assert step.order == 700 and step.function is monitor_business_date


def test_a_window_typology_alerts_once_however_often_the_date_runs(busy_day, two_in_a_day):
    first = monitor_business_date(DAY)
    second = monitor_business_date(DAY)

    alert = Alert.objects.get(typology="test_two_in_a_day")
    assert alert.business_date == DAY and alert.trigger.business_date == DAY
    assert (first["customer_windows"], first["end_of_day_alerts"]) == (1, 1)
    assert second["customer_windows"] == 1 and Alert.objects.count() == 1
    assert first["not_evaluated"] == first["undelivered_events"] == first["windows_not_evaluated"] == 0


def test_a_date_without_the_customers_movements_raises_nothing(busy_day, two_in_a_day):
    counts = monitor_business_date(DAY + datetime.timedelta(days=1))

    assert counts["customer_windows"] == 0 and not Alert.objects.exists()


def test_the_step_retries_and_reports_what_is_not_evaluated(busy_day, library_with, teller_a):
    library_with(Broken)
    Broken.failing = True
    TypologySetting.objects.create(typology=Broken.code, currency="EUR", parameters={})
    try:
        deposit(busy_day, "5.00", teller=teller_a)  # committed in the test's transaction, never delivered

        counts = monitor_business_date(DAY)

        # The two movements of DAY were evaluated before the broken typology was set; the third is not
        # recorded yet (its outbox event is pending): nothing failed to evaluate, one event to deliver.
        assert (counts["retried"], counts["not_evaluated"], counts["undelivered_events"]) == (0, 0, 1)
        items = {item.label: item.count for item in open_items(DAY)}
        assert items["Money movements not yet recorded by monitoring (outbox)"] == 1
    finally:
        Broken.failing = True


def test_unevaluated_movements_are_retried_and_counted_by_the_step(customer, savings, teller_a, library_with,
                                                                   django_capture_on_commit_callbacks):
    library_with(Broken)
    Broken.failing = True
    TypologySetting.objects.create(typology=Broken.code, currency="EUR", parameters={})
    set_business_date(DAY)
    with django_capture_on_commit_callbacks(execute=True):
        open_funded_account(customer, savings, "100.00", teller=teller_a)

    failing = monitor_business_date(DAY)
    assert (failing["retried"], failing["evaluated_on_retry"], failing["not_evaluated"]) == (1, 0, 1)
    items = {item.label: item.count for item in open_items(DAY)}
    assert items["Money movements not yet evaluated by monitoring (a typology failed)"] == 1

    Broken.failing = False
    fixed = monitor_business_date(DAY)
    assert (fixed["retried"], fixed["evaluated_on_retry"], fixed["not_evaluated"]) == (1, 1, 0)
    Broken.failing = True


def test_a_failing_window_typology_is_recorded_and_retried_by_the_next_run(busy_day, two_in_a_day):
    TwoInADay.failing = True
    failing = monitor_business_date(DAY)
    assert (failing["end_of_day_failures"], failing["windows_not_evaluated"]) == (1, 1)
    failure = EvaluationFailure.objects.get(schedule="end_of_day")
    assert (failure.business_date, failure.customer_id, failure.resolved_at) == (DAY, busy_day.customer_id, None)
    assert not Alert.objects.exists()

    TwoInADay.failing = False
    fixed = monitor_business_date(DAY)

    assert (fixed["end_of_day_alerts"], fixed["windows_not_evaluated"]) == (1, 0)
    failure.refresh_from_db()
    assert failure.resolved_at is not None and failure.attempts == 1
    assert Alert.objects.get().business_date == DAY
