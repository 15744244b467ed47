"""A shadow setting runs beside the live one and its alerts stay out of the queue; a backtest reports what given
parameters would have raised over a past range, and for whom, raising nothing."""

import datetime

import pytest
from django.utils import timezone

from apps.accounts.tests.factories import open_funded_account
from apps.compliance.errors import BacktestRefused, TypologySettingRefused
from apps.compliance.models import Alert, BacktestRun, Case, TypologySetting
from apps.compliance.models.alerts import AlertDisposition
from apps.compliance.models.backtests import BacktestStatus
from apps.compliance.models.typologies import SettingMode
from apps.compliance.services.backtest_requests import request_backtest
from apps.compliance.services.backtests import run_backtest
from apps.compliance.services.monitoring import evaluate_transaction
from apps.compliance.tasks import run_backtests_left_behind_task
from apps.compliance.tests.lifecycle_support import seed_cash, setting_maker_fixture  # noqa: F401
from apps.customers.tests.factories import verified_customer
from apps.domain_errors import PermissionRefused

pytestmark = pytest.mark.django_db

DAY_1, DAY_2 = datetime.date(2026, 3, 2), datetime.date(2026, 3, 3)


@pytest.fixture
def live_and_shadow_eur():
    live = TypologySetting.objects.create(typology="large_cash", currency="EUR",
                                          parameters={"amount_at_least": "10000.00"})
    shadow = TypologySetting.objects.create(typology="large_cash", currency="EUR", mode=SettingMode.SHADOW,
                                            parameters={"amount_at_least": "5000.00"})
    return live, shadow


def test_a_shadow_setting_raises_alerts_marked_shadow_that_join_no_case(
        customer, savings, teller_a, live_and_shadow_eur):
    # given
    _live, shadow = live_and_shadow_eur
    account = open_funded_account(customer, savings, None, teller=teller_a)
    below_live = seed_cash(account, "7000.00", teller=teller_a, on=DAY_1)
    # when
    raised = evaluate_transaction(row=below_live)
    # then: the shadow alone fires, and nothing enters the queue
    assert raised == 1
    alert = Alert.objects.get()
    assert (alert.setting, alert.disposition, alert.case) == (shadow, AlertDisposition.SHADOW, None)
    assert not Case.objects.exists()


def test_a_movement_over_both_thresholds_raises_a_queued_alert_and_a_shadow_one(
        customer, savings, teller_a, live_and_shadow_eur):
    live, shadow = live_and_shadow_eur
    account = open_funded_account(customer, savings, None, teller=teller_a)
    row = seed_cash(account, "12000.00", teller=teller_a, on=DAY_1)

    assert evaluate_transaction(row=row) == 2

    by_setting = {alert.setting: alert for alert in Alert.objects.all()}
    assert by_setting[live].disposition == AlertDisposition.QUEUED and by_setting[live].case is not None
    assert by_setting[shadow].disposition == AlertDisposition.SHADOW and by_setting[shadow].case is None
    assert Case.objects.get().alerts.count() == 1


@pytest.fixture
def seeded_range(branch_a, savings, teller_a, live_and_shadow_eur):
    """Four customers' cash around DAY_1..DAY_2; the live setting (10,000) evaluated the one big deposit."""
    ada, bea, cem, dov = (verified_customer(branch=branch_a, legal_name=name) for name in ("Ada", "Bea", "Cem",
                                                                                            "Dov"))
    accounts = {c: open_funded_account(c, savings, None, teller=teller_a) for c in (ada, bea, cem, dov)}
    seed_cash(accounts[ada], "7000.00", teller=teller_a, on=DAY_1)
    seed_cash(accounts[ada], "8000.00", teller=teller_a, on=DAY_2)
    evaluate_transaction(row=seed_cash(accounts[ada], "12000.00", teller=teller_a, on=DAY_2, hour=11))
    seed_cash(accounts[bea], "6000.00", teller=teller_a, on=DAY_2)
    seed_cash(accounts[cem], "3000.00", teller=teller_a, on=DAY_2)
    seed_cash(accounts[dov], "9000.00", teller=teller_a, on=DAY_1 - datetime.timedelta(days=1))  # before it
    return ada, bea, cem, dov


def test_a_backtest_reports_the_alerts_it_would_raise_and_for_whom_and_writes_no_alert(
        seeded_range, setting_maker, django_capture_on_commit_callbacks):
    # given
    ada, bea, _cem, _dov = seeded_range
    alerts_before = list(Alert.objects.values_list("pk", flat=True))
    # when
    with django_capture_on_commit_callbacks(execute=True):
        run = request_backtest(typology="large_cash", currency="EUR", parameters={"amount_at_least": "5000"},
                               date_from=DAY_1, date_to=DAY_2, requested_by=setting_maker)
    # then
    run.refresh_from_db()
    assert run.status == BacktestStatus.DONE and run.finished_at is not None
    assert (run.transactions_evaluated, run.alerts_would_raise, run.customers_alerted) == (5, 4, 2)
    assert run.customers == [{"id": ada.pk, "name": "Ada", "alerts": 3}, {"id": bea.pk, "name": "Bea", "alerts": 1}]
    # the live setting raised one alert (Ada's 12,000), the shadow's are not counted
    assert (run.live_alerts, run.live_customers, run.customers_only_backtest, run.customers_only_live) == (1, 1, 1, 0)
    assert list(Alert.objects.values_list("pk", flat=True)) == alerts_before


def test_a_backtest_is_sent_to_the_worker_only_after_the_request_commits(setting_maker,
                                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = request_backtest(typology="large_cash", currency="EUR", parameters={}, date_from=DAY_1,
                               date_to=DAY_2, requested_by=setting_maker)
        assert BacktestRun.objects.get(pk=run.pk).status == BacktestStatus.QUEUED
    assert len(callbacks) == 1
    assert BacktestRun.objects.get(pk=run.pk).status == BacktestStatus.QUEUED


def test_a_backtest_of_a_setting_snapshots_its_parameters(live_and_shadow_eur, setting_maker,
                                                          django_capture_on_commit_callbacks):
    _live, shadow = live_and_shadow_eur
    with django_capture_on_commit_callbacks(execute=True):
        run = request_backtest(typology="", currency="", parameters=None, source_setting=shadow,
                               date_from=DAY_1, date_to=DAY_2, requested_by=setting_maker)
    run.refresh_from_db()
    assert (run.typology, run.currency, run.parameters) == ("large_cash", "EUR", {"amount_at_least": "5000.00"})
    assert run.status == BacktestStatus.DONE and run.transactions_evaluated == 0


def test_running_a_backtest_again_changes_nothing(seeded_range, setting_maker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = request_backtest(typology="large_cash", currency="EUR", parameters={"amount_at_least": "5000"},
                               date_from=DAY_1, date_to=DAY_2, requested_by=setting_maker)
    finished = BacktestRun.objects.get(pk=run.pk)

    assert run_backtest(backtest_id=run.pk) is None

    again = BacktestRun.objects.get(pk=run.pk)
    assert (again.finished_at, again.alerts_would_raise, again.history.count()) == (
        finished.finished_at, finished.alerts_would_raise, finished.history.count())


def test_a_backtest_with_bad_parameters_or_a_reversed_range_is_refused(setting_maker):
    with pytest.raises(TypologySettingRefused):
        request_backtest(typology="large_cash", currency="EUR", parameters={"amount_at_least": "0"},
                         date_from=DAY_1, date_to=DAY_2, requested_by=setting_maker)
    with pytest.raises(BacktestRefused):
        request_backtest(typology="large_cash", currency="EUR", parameters={}, date_from=DAY_2, date_to=DAY_1,
                         requested_by=setting_maker)
    assert not BacktestRun.objects.exists()


def test_staff_without_the_permission_may_not_request_a_backtest(auditor):
    with pytest.raises(PermissionRefused):
        request_backtest(typology="large_cash", currency="EUR", parameters={}, date_from=DAY_1, date_to=DAY_2,
                         requested_by=auditor)
    assert not BacktestRun.objects.exists()


def test_the_beats_backstop_carries_out_a_lost_run_and_fails_one_whose_worker_stopped(seeded_range, setting_maker):
    # given: a run whose message was lost (queued ten minutes), one whose worker died (running for hours), and
    # one just requested (its message may still be on its way)
    def queued_run():
        return BacktestRun.objects.create(typology="large_cash", typology_version=1, currency="EUR",
                                          parameters={"amount_at_least": "5000.00"}, date_from=DAY_1, date_to=DAY_2,
                                          requested_by=setting_maker)

    lost, stuck, fresh = queued_run(), queued_run(), queued_run()
    now = timezone.now()
    BacktestRun.objects.filter(pk=lost.pk).update(requested_at=now - datetime.timedelta(minutes=10))
    BacktestRun.objects.filter(pk=stuck.pk).update(status=BacktestStatus.RUNNING,
                                                   started_at=now - datetime.timedelta(hours=2))
    # when
    carried_out = run_backtests_left_behind_task()
    # then
    assert carried_out == 1
    lost, stuck, fresh = (BacktestRun.objects.get(pk=run.pk) for run in (lost, stuck, fresh))
    assert (lost.status, lost.alerts_would_raise) == (BacktestStatus.DONE, 4)
    assert stuck.status == BacktestStatus.FAILED and "worker stopped" in stuck.failure_reason
    assert fresh.status == BacktestStatus.QUEUED
