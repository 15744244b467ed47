"""A typology that fails to evaluate is retried, never skipped: the movement stays unevaluated with the error
recorded, the other typologies' alerts stand, and a retry after the fix evaluates it."""

import pytest

from apps.accounts.tests.factories import deposit, open_funded_account
from apps.compliance.models import Alert, EvaluationFailure, MonitoredTransaction, TypologySetting
from apps.compliance.services.end_of_day import retry_failed_evaluations
from apps.compliance.services.settings import normalized_parameters
from apps.compliance.services.typology_defaults import install_default_typology_settings
from apps.compliance.tasks import retry_failed_evaluations_task
from apps.compliance.tests.typology_doubles import Broken
from apps.compliance.typologies.base import library

pytestmark = pytest.mark.django_db


@pytest.fixture
def broken(library_with):
    library_with(Broken)
    Broken.failing = True
    yield TypologySetting.objects.create(typology=Broken.code, currency="EUR", parameters={})
    Broken.failing = True


def test_a_failing_typology_leaves_the_row_unevaluated_and_the_others_alerts_stand(
        customer, savings, teller_a, broken, django_capture_on_commit_callbacks):
    install_default_typology_settings(currency="EUR", actor=teller_a)  # large cash, at 10,000
    account = open_funded_account(customer, savings, "100.00", teller=teller_a)

    with django_capture_on_commit_callbacks(execute=True):
        deposit(account, "12000.00", teller=teller_a)

    row = MonitoredTransaction.objects.get(account=account, amount="12000.00")
    assert row.evaluated_at is None  # recorded (the recording committed), not evaluated
    failure = EvaluationFailure.objects.get(transaction=row)
    assert (failure.typology, failure.schedule, failure.attempts) == ("test_broken", "realtime", 1)
    assert "the typology is broken" in failure.last_error and failure.resolved_at is None
    assert Alert.objects.get().typology == "large_cash"  # the other typology's alert stands


def test_a_retry_counts_the_attempt_and_after_the_fix_evaluates_the_row(
        customer, savings, teller_a, broken, django_capture_on_commit_callbacks):
    install_default_typology_settings(currency="EUR", actor=teller_a)
    account = open_funded_account(customer, savings, "100.00", teller=teller_a)
    with django_capture_on_commit_callbacks(execute=True):
        deposit(account, "12000.00", teller=teller_a)
    row = MonitoredTransaction.objects.get(account=account, amount="12000.00")

    still = retry_failed_evaluations()
    assert (still["retried"], still["still_failing"]) == (1, 1)
    assert EvaluationFailure.objects.get(transaction=row).attempts == 2

    Broken.failing = False  # the fix
    counts = retry_failed_evaluations_task.delay().get()

    assert counts["evaluated"] == 1
    row.refresh_from_db()
    assert row.evaluated_at is not None
    assert EvaluationFailure.objects.get(transaction=row).resolved_at is not None
    assert Alert.objects.filter(typology="large_cash", trigger=row).count() == 1  # kept, not raised twice


def test_default_settings_set_every_typology_live_once(teller_a):
    created = install_default_typology_settings(currency="EUR", actor=teller_a)
    again = install_default_typology_settings(currency="EUR", actor=teller_a)

    assert sorted(s.typology for s in created) == [t.code for t in library()]
    assert again == []
    for setting in created:
        assert setting.mode == "live" and setting.is_enabled
        entry = next(t for t in library() if t.code == setting.typology)
        assert setting.parameters == normalized_parameters(entry=entry, raw={}, currency="EUR")
        assert setting.history.get().history_user == teller_a
