"""Real race on PostgreSQL: movements of one customer with no case, evaluated at the same moment by separate
workers, end with exactly one open case holding every alert."""

import pytest

from apps.accounts.tests.factories import deposit, install_chart, open_funded_account, savings_product
from apps.compliance.models import Alert, Case, MonitoredTransaction, TypologySetting
from apps.compliance.services.monitoring import record_and_evaluate
from apps.customers.tests.factories import verified_customer
from apps.outbox import subscribers
from apps.outbox.models import OutboxEvent
from tests.races import run_in_threads

pytestmark = [pytest.mark.race, pytest.mark.django_db(transaction=True)]
THREADS = 6


@pytest.fixture
def movements_not_yet_monitored(branch_a, branch_b, teller_a):
    """Large cash deposits of one customer, committed, whose events reached no monitoring yet."""
    install_chart()
    TypologySetting.objects.create(typology="large_cash", currency="EUR", parameters={"amount_at_least": "10000"})
    monitor = subscribers._REGISTRY.pop("compliance.monitor_movement")
    try:
        account = open_funded_account(verified_customer(branch=branch_a), savings_product(rate="0"), "100.00",
                                      teller=teller_a)
        for _ in range(THREADS):
            deposit(account, "15000.00", teller=teller_a)
    finally:
        subscribers._REGISTRY[monitor.name] = monitor
    return [e.payload for e in OutboxEvent.objects.filter(event_type="money.moved").order_by("pk")
            if e.payload["legs"][0]["amount"] == "15000.00"]


@pytest.mark.postgresql_only(reason="real threads on their own connections racing for the one-open-case "
                                    "constraint; SQLite serialises writers")
def test_concurrent_evaluations_of_one_customer_open_exactly_one_case(movements_not_yet_monitored):
    payloads = movements_not_yet_monitored
    assert len(payloads) == THREADS and not Case.objects.exists()

    errors = run_in_threads(lambda index: record_and_evaluate(payload=payloads[index]), threads=THREADS)

    assert errors == []
    case = Case.objects.get()
    assert case.is_open
    assert Alert.objects.filter(case=case).count() == THREADS == Alert.objects.count()
    assert MonitoredTransaction.objects.filter(amount="15000.00", evaluated_at__isnull=False).count() == THREADS
