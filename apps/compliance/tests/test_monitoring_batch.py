"""The batched consumer of money.moved records each leg once and raises what the per-event delivery raises;
a replay changes nothing; a claimed event is nobody else's; two drains racing record and alert once."""

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.tests.factories import deposit, install_chart, open_funded_account, savings_product
from apps.compliance.models import Alert, Case, EvaluationFailure, MonitoredTransaction, TypologySetting
from apps.compliance.services.monitoring_batch import (
    claim_money_movements,
    deliver_money_movements,
    drain_money_movements,
)
from apps.compliance.services.typology_defaults import install_default_typology_settings
from apps.compliance.tasks import drain_money_movements_task
from apps.compliance.tests.typology_doubles import Broken
from apps.customers.tests.factories import verified_customer
from apps.money import Money
from apps.outbox.models import OutboxDelivery, OutboxEvent
from apps.outbox.services import deliver_event, deliver_pending_events
from apps.payments.models import Channel
from apps.payments.services.transfers import transfer_between_accounts
from tests.races import run_in_threads


def _movements(branch, teller):
    """Cash and transfers of two customers, committed; their money.moved events pending (no on-commit run)."""
    install_chart()
    install_default_typology_settings(currency="EUR", actor=teller)
    product = savings_product(rate="0")
    payer = open_funded_account(verified_customer(branch=branch), product, "100.00", teller=teller)
    payee = open_funded_account(verified_customer(branch=branch), product, "100.00", teller=teller)
    for amount in ["12000.00", "9500.00", "9600.00", "9700.00"]:
        deposit(payer, amount, teller=teller)
    for n in range(4):
        transfer_between_accounts(from_account_number=payer.number, to_account_number=payee.number,
                                  money=Money("4000.00", "EUR"), channel=Channel.API, initiated_by=teller,
                                  idempotency_key=f"batch-{n}")
    return list(OutboxEvent.objects.filter(event_type="money.moved").order_by("pk").values_list("pk", flat=True))


def _outcome():
    """What monitoring left: each alert by (typology, trigger leg), and the legs recorded."""
    alerts = sorted((a.typology, a.trigger.entry_id, a.trigger.account_id, a.trigger.direction, a.customer_id)
                    for a in Alert.objects.select_related("trigger"))
    legs = sorted((r.entry_id, r.account_id, r.direction, r.account_idle_days, r.evaluated_at is not None)
                  for r in MonitoredTransaction.objects.all())
    return alerts, legs, Case.objects.count()


def _pending_again():
    OutboxDelivery.objects.all().delete()
    OutboxEvent.objects.filter(event_type="money.moved").update(
        state=OutboxEvent.State.PENDING, delivered_at=None, next_attempt_at=timezone.now())


@pytest.mark.django_db
def test_a_batch_records_each_leg_once_and_raises_the_per_event_alerts(branch_a, teller_a):
    # given
    event_ids = _movements(branch_a, teller_a)
    assert not MonitoredTransaction.objects.exists()
    # when: the batch, then (rolled back) the per-event delivery of the same events
    rollback = transaction.savepoint()
    result = deliver_money_movements(limit=500)
    batched = _outcome()
    transaction.savepoint_rollback(rollback)
    for event_id in event_ids:
        deliver_event(event_id=event_id)
    per_event = _outcome()
    # then
    assert result["events"] == len(event_ids)
    alerts, legs, cases = batched
    assert alerts and (alerts, legs, cases) == per_event
    assert len(legs) == len({leg[:3] for leg in legs}) == MonitoredTransaction.objects.count()


@pytest.mark.django_db
def test_a_batch_marks_its_events_delivered_to_the_monitoring_subscriber(branch_a, teller_a):
    event_ids = _movements(branch_a, teller_a)

    deliver_money_movements(limit=500)

    events = OutboxEvent.objects.filter(pk__in=event_ids)
    assert all(e.state == "delivered" and e.delivered_at and e.attempts == 1 for e in events)
    assert OutboxDelivery.objects.filter(event_id__in=event_ids, subscriber="compliance.monitor_movement").count() \
        == len(event_ids)
    assert deliver_money_movements(limit=500) == {"events": 0, "alerts": 0}


@pytest.mark.django_db
def test_replaying_a_batch_changes_nothing(branch_a, teller_a):
    _movements(branch_a, teller_a)
    deliver_money_movements(limit=500)
    before = _outcome()

    _pending_again()
    deliver_money_movements(limit=500)

    assert _outcome() == before


@pytest.mark.django_db
def test_an_event_the_batch_claimed_is_a_no_op_for_the_per_event_delivery(branch_a, teller_a):
    event_ids = _movements(branch_a, teller_a)
    now = timezone.now()

    claimed = claim_money_movements(now=now, limit=3)

    assert claimed == event_ids[:3]
    assert claim_money_movements(now=now, limit=3) == event_ids[3:6]
    assert deliver_event(event_id=claimed[0], now=now) is None
    assert not MonitoredTransaction.objects.exists()


@pytest.mark.django_db
def test_a_failing_typology_is_recorded_and_the_event_still_delivered(branch_a, teller_a, library_with):
    library_with(Broken)
    Broken.failing = True
    event_ids = _movements(branch_a, teller_a)

    deliver_money_movements(limit=500)

    rows = MonitoredTransaction.objects.all()
    assert rows and not rows.filter(evaluated_at__isnull=False).exists()
    assert EvaluationFailure.objects.filter(typology=Broken.code).count() == rows.count()
    assert Alert.objects.exists()  # the other typologies' alerts stand
    assert not OutboxEvent.objects.filter(pk__in=event_ids).exclude(state="delivered").exists()


@pytest.mark.django_db
def test_the_drain_task_delivers_until_none_is_pending(branch_a, teller_a):
    event_ids = _movements(branch_a, teller_a)

    totals = drain_money_movements_task.apply().get()

    assert totals["events"] == len(event_ids) and totals["batches"] >= 1
    assert not OutboxEvent.objects.filter(event_type="money.moved", state="pending").exists()


@pytest.mark.django_db
def test_a_batched_event_type_sends_no_task_on_commit(branch_a, teller_a, settings,
                                                      django_capture_on_commit_callbacks):
    settings.OUTBOX_BATCHED_EVENT_TYPES = ["money.moved"]
    install_chart()
    account = open_funded_account(verified_customer(branch=branch_a), savings_product(rate="0"), "100.00",
                                  teller=teller_a)

    with django_capture_on_commit_callbacks(execute=True):
        deposit(account, "50.00", teller=teller_a)

    assert OutboxEvent.objects.filter(event_type="money.moved", state="pending").count() == 2
    assert not MonitoredTransaction.objects.exists()
    assert drain_money_movements()["events"] == 2


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
@pytest.mark.postgresql_only(reason="real threads on their own connections claiming with FOR UPDATE SKIP LOCKED; "
                                    "SQLite serialises writers")
def test_two_drains_and_the_per_event_delivery_racing_record_and_alert_once(branch_a, teller_a):
    event_ids = _movements(branch_a, teller_a)

    def work(index):
        if index < 2:
            drain_money_movements(limit=3)
        else:
            for event_id in event_ids:
                deliver_event(event_id=event_id)

    errors = run_in_threads(work, threads=3)

    assert errors == []
    alerts, legs, cases = _outcome()
    assert len(legs) == len({leg[:3] for leg in legs}) and all(leg[4] for leg in legs)
    assert len(alerts) == len(set(alerts)) == Alert.objects.count() > 0 and cases == 1
    assert not OutboxEvent.objects.filter(pk__in=event_ids).exclude(state="delivered").exists()


def _small_transfers(branch, teller, product, count, *, key):
    payer = open_funded_account(verified_customer(branch=branch), product, "1000.00", teller=teller)
    payee = open_funded_account(verified_customer(branch=branch), product, "100.00", teller=teller)
    for n in range(count):
        transfer_between_accounts(from_account_number=payer.number, to_account_number=payee.number,
                                  money=Money("10.00", "EUR"), channel=Channel.API, initiated_by=teller,
                                  idempotency_key=f"{key}-{n}")


@pytest.mark.django_db
def test_a_batch_costs_the_same_statements_for_twice_the_events(branch_a, teller_a):
    # given: one live typology that raises nothing on small transfers
    install_chart()
    TypologySetting.objects.create(typology="large_cash", currency="EUR", parameters={"amount_at_least": "10000"})
    product = savings_product(rate="0")
    _small_transfers(branch_a, teller_a, product, 4, key="few")
    with CaptureQueriesContext(connection) as few:
        assert deliver_money_movements(limit=500)["events"] == 4 + 2  # the two opening deposits too
    _small_transfers(branch_a, teller_a, product, 10, key="many")
    # when
    with CaptureQueriesContext(connection) as many:
        assert deliver_money_movements(limit=500)["events"] == 10 + 2
    # then: 16 statements on PostgreSQL (the per-event delivery takes 18 for each transfer), 20 on SQLite (its
    # claim reads the ids, updates them and reads them back; savepoints are statements there)
    assert len(many) == len(few) <= (16 if connection.vendor == "postgresql" else 20)


@pytest.mark.django_db
def test_the_sweep_delivers_a_batched_event_one_by_one_only_after_the_grace(branch_a, teller_a, settings):
    # given: money.moved batched, its events pending, no drain running
    settings.OUTBOX_BATCHED_EVENT_TYPES = ["money.moved"]
    install_chart()
    open_funded_account(verified_customer(branch=branch_a), savings_product(rate="0"), "100.00", teller=teller_a)
    pending = OutboxEvent.objects.filter(event_type="money.moved", state="pending")
    assert pending.exists()
    # when / then: within the grace, the sweep leaves them to the batch consumer
    deliver_pending_events(now=timezone.now())
    assert not MonitoredTransaction.objects.exists()
    # when / then: past it, the sweep delivers them per event
    deliver_pending_events(now=timezone.now() + settings.OUTBOX_BATCH_GRACE + datetime.timedelta(seconds=1))
    assert not pending.exists() and MonitoredTransaction.objects.exists()
