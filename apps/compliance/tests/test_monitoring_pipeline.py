"""A money movement reaches monitoring through the outbox after it commits, is recorded once per customer
side, and is evaluated by the real-time typologies."""

import pytest

from apps.accounts.tests.factories import deposit, open_funded_account
from apps.compliance.models import Alert, Case, MonitoredTransaction, TypologySetting
from apps.compliance.models.alerts import AlertDisposition
from apps.compliance.services.monitoring import record_and_evaluate
from apps.outbox.models import OutboxEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def large_cash_eur():
    return TypologySetting.objects.create(typology="large_cash", currency="EUR",
                                          parameters={"amount_at_least": "10000"})


def test_large_cash_deposit_raises_an_alert_in_the_customers_case_after_commit(
        customer, savings, teller_a, large_cash_eur, django_capture_on_commit_callbacks):
    account = open_funded_account(customer, savings, "100.00", teller=teller_a)

    with django_capture_on_commit_callbacks(execute=True):
        deposit(account, "12000.00", teller=teller_a)

    row = MonitoredTransaction.objects.get(account=account, amount="12000.00")
    assert (row.kind, row.channel, row.direction) == ("cash_deposit", "cash", "in")
    assert row.branch_id == teller_a.home_branch_id
    assert row.evaluated_at is not None
    alert = Alert.objects.get(typology="large_cash")
    assert alert.disposition == AlertDisposition.QUEUED and alert.trigger == row
    assert alert.evidence[0]["amount"] == "12000.00" and alert.case.customer == customer
    case = Case.objects.get()
    assert case.detected_on == alert.business_date and (case.sar_due_on - case.detected_on).days == 30


def test_recording_an_event_twice_records_and_alerts_once(customer, savings, teller_a, large_cash_eur):
    account = open_funded_account(customer, savings, "100.00", teller=teller_a)
    deposit(account, "15000.00", teller=teller_a)
    event = OutboxEvent.objects.filter(event_type="money.moved").latest("pk")

    record_and_evaluate(payload=event.payload)
    record_and_evaluate(payload=event.payload)

    assert MonitoredTransaction.objects.filter(entry_id=event.payload["entry_id"]).count() == 1
    assert Alert.objects.count() == 1 and Case.objects.count() == 1
