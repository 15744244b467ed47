"""External payments against the VelocityPay simulator on loopback: whatever the gateway does, a payment is
never lost and never settled twice, and the ledger stays exact."""

import datetime
import json
import time
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.tests.factories import install_chart, open_funded_account, savings_product
from apps.customers.tests.factories import verified_customer
from apps.ledger.models import JournalEntry, LedgerAccount
from apps.ledger.selectors import account_balance
from apps.money import Money
from apps.organization.tests.factories import CustomerUserFactory
from apps.payments.gateway.signatures import SIGNATURE_HEADER, sign
from apps.payments.models import GatewayEvent, IncomingPayment, OutgoingPayment
from apps.payments.services.external import initiate_outgoing_payment, poll_outgoing_payments
from apps.payments.tasks import poll_outgoing_payments_task
from apps.payments.tests.gateway_fixtures import SECRET

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def payer(branch_a, branch_b, teller_a):
    install_chart()
    customer = verified_customer(branch=branch_a, user=CustomerUserFactory())
    account = open_funded_account(customer, savings_product(rate="0"), "500.00", teller=teller_a)
    return customer, account


def _pay(payer, amount="120.00", key="pay-1"):
    customer, account = payer
    return initiate_outgoing_payment(
        from_account_number=account.number, money=Money(amount, "EUR"), rail="instant", creditor_name="Ana Costa",
        creditor_account="PT50000201231234567890154", creditor_country="PT", initiated_by=customer.user,
        idempotency_key=key,
    )


def _wait_for(reference, status, seconds=10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        payment = OutgoingPayment.objects.get(reference=reference)
        if payment.status == status:
            return payment
        time.sleep(0.05)
    raise AssertionError(f"{reference} is {payment.status}, not {status}")


def _balances(account):
    return (LedgerAccount.objects.get(pk=account.ledger_account_id).balance,
            account_balance(LedgerAccount.objects.get(code="1300")).amount,
            account_balance(LedgerAccount.objects.get(code="1100")).amount)


def test_accepted_then_settled_by_webhook(simulator, payer):
    simulator.set_behaviour("accept", settle_after=0.2)
    payment = _pay(payer)
    assert OutgoingPayment.objects.get(pk=payment.pk).status in ("submitted", "settled")
    _wait_for(payment.reference, "settled")
    # the customer paid once; clearing is back to zero; the settlement account paid out
    assert _balances(payer[1]) == (Decimal("380.00"), Decimal("0"), Decimal("-120.00"))
    assert len(simulator.payments) == 1
    call_command("ledger_check")


def test_rejected_payment_returns_the_funds(simulator, payer):
    simulator.set_behaviour("reject")
    payment = _pay(payer)
    payment = OutgoingPayment.objects.get(pk=payment.pk)
    assert payment.status == "rejected"
    assert _balances(payer[1]) == (Decimal("500.00"), Decimal("0"), Decimal("0"))
    assert payment.return_entry.reverses_id == payment.initiation_entry_id


def test_timeout_after_the_gateway_took_it_is_resolved_by_polling_and_settles_once(simulator, payer):
    simulator.set_behaviour("accept_then_timeout", delay=0.8)
    payment = _pay(payer)
    payment = OutgoingPayment.objects.get(pk=payment.pk)
    assert (payment.status, payment.outcome_unknown) == ("initiated", True)
    simulator.set_behaviour("accept")
    time.sleep(0.9)
    assert poll_outgoing_payments(now=timezone.now() + datetime.timedelta(minutes=5))["changed"] == 1
    assert OutgoingPayment.objects.get(pk=payment.pk).status == "submitted"
    simulator.settle(payment.reference)
    _wait_for(payment.reference, "settled")
    assert len(simulator.payments) == 1
    assert _balances(payer[1]) == (Decimal("380.00"), Decimal("0"), Decimal("-120.00"))


def test_duplicate_webhooks_settle_once(simulator, payer):
    payment = _pay(payer)
    assert simulator.send_webhook(payment.reference, "settled", event_id="evt-1") == 200
    assert simulator.send_webhook(payment.reference, "settled", event_id="evt-1") == 200
    assert simulator.send_webhook(payment.reference, "settled", event_id="evt-2") == 200  # same news, new id
    assert OutgoingPayment.objects.get(pk=payment.pk).status == "settled"
    assert JournalEntry.objects.filter(idempotency_key=f"settle:{payment.reference}").count() == 1
    assert GatewayEvent.objects.count() == 2
    assert _balances(payer[1]) == (Decimal("380.00"), Decimal("0"), Decimal("-120.00"))


def test_webhook_before_the_submit_call_returns(simulator, payer):
    simulator.set_behaviour("webhook_first")
    payment = _pay(payer)
    payment = OutgoingPayment.objects.get(pk=payment.pk)
    # the settlement arrived first; the late "accepted" answer did not move it back
    assert payment.status == "settled"
    assert _balances(payer[1]) == (Decimal("380.00"), Decimal("0"), Decimal("-120.00"))


def test_a_worker_dying_before_submitting_is_caught_up_by_the_poller(simulator, payer, monkeypatch):
    from apps.payments import tasks

    # the worker died before submitting: the message is never run
    monkeypatch.setattr(tasks.send_to_gateway_task, "apply_async", lambda *args, **kwargs: None)
    payment = _pay(payer)
    assert simulator.payments == {}
    counts = poll_outgoing_payments(now=timezone.now() + datetime.timedelta(minutes=5))
    assert counts["resubmitted"] == 1
    assert OutgoingPayment.objects.get(pk=payment.pk).status == "submitted"
    assert len(simulator.payments) == 1


def test_gateway_down_leaves_the_payment_initiated_until_it_is_back(simulator, payer):
    simulator.set_behaviour("unavailable")
    payment = _pay(payer)
    assert OutgoingPayment.objects.get(pk=payment.pk).status == "initiated"
    simulator.set_behaviour("accept")
    poll_outgoing_payments(now=timezone.now() + datetime.timedelta(minutes=5))
    assert OutgoingPayment.objects.get(pk=payment.pk).status == "submitted"


def test_a_webhook_with_a_bad_signature_is_refused_and_changes_nothing(simulator, payer, client, caplog):
    payment = _pay(payer)
    body = json.dumps({"id": "evt-x", "type": "payment.settled", "reference": payment.reference}).encode()
    url = reverse("v1:velocitypay-webhook")
    forged = client.post(url, body, content_type="application/json",
                         headers={SIGNATURE_HEADER: sign("not the secret", body)})
    unsigned = client.post(url, body, content_type="application/json")
    assert forged.status_code == unsigned.status_code == 401
    assert forged.json()["code"] == "invalid_signature"
    assert "bad signature" in caplog.text
    assert not GatewayEvent.objects.exists()
    assert OutgoingPayment.objects.get(pk=payment.pk).status != "settled"


def test_incoming_payment_credits_the_beneficiary_through_clearing_once(simulator, payer, client):
    _, account = payer
    body = json.dumps({"id": "evt-in-1", "type": "payment.incoming", "gateway_id": "vp_in_1",
                       "creditor_account": account.number, "amount": "75.50", "currency": "EUR",
                       "debtor_name": "Other Bank Customer"}).encode()
    url = reverse("v1:velocitypay-webhook")
    for _ in range(2):
        response = client.post(url, body, content_type="application/json",
                               headers={SIGNATURE_HEADER: sign(SECRET, body)})
        assert response.status_code == 200
    assert IncomingPayment.objects.count() == 1
    assert _balances(account) == (Decimal("575.50"), Decimal("0"), Decimal("75.50"))
    call_command("ledger_check")


def test_outgoing_payment_api_is_idempotent(simulator, payer):
    customer, account = payer
    api = APIClient()
    api.force_authenticate(customer.user)
    order = {"from_account": account.number, "amount": "10.00", "currency": "EUR", "rail": "same_day",
             "creditor_name": "Ana", "creditor_account": "PT50000201231234567890154", "creditor_country": "PT"}
    first = api.post(reverse("v1:outgoing-payment-list"), order, format="json", HTTP_IDEMPOTENCY_KEY="op-1")
    again = api.post(reverse("v1:outgoing-payment-list"), order, format="json", HTTP_IDEMPOTENCY_KEY="op-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert OutgoingPayment.objects.count() == 1
    assert len(simulator.payments) == 1


def test_an_outgoing_payment_answers_201_while_the_broker_is_down_and_is_submitted_once_it_is_back(
        simulator, payer, broker_down):
    # given a broker that does not answer
    customer, account = payer
    api = APIClient()
    api.force_authenticate(customer.user)
    order = {"from_account": account.number, "amount": "120.00", "currency": "EUR", "rail": "instant",
             "creditor_name": "Ana Costa", "creditor_account": "PT50000201231234567890154", "creditor_country": "PT"}
    with broker_down():
        # when the customer pays, and retries with the same key
        first = api.post(reverse("v1:outgoing-payment-list"), order, format="json", HTTP_IDEMPOTENCY_KEY="op-1")
        again = api.post(reverse("v1:outgoing-payment-list"), order, format="json", HTTP_IDEMPOTENCY_KEY="op-1")
    # then both are answered as usual; the funds are in clearing once; the payment waits, initiated
    assert (first.status_code, again.status_code, again["Idempotent-Replayed"]) == (201, 201, "true"), first.content
    payment = OutgoingPayment.objects.get()
    assert (payment.status, simulator.payments) == ("initiated", {})
    assert _balances(account) == (Decimal("380.00"), Decimal("-120.00"), Decimal("0"))
    # when the broker is back and the poller runs (beat, every minute)
    simulator.set_behaviour("accept")
    assert poll_outgoing_payments_task.delay().get()["resubmitted"] == 1
    # then the payment was submitted once, and settles
    assert OutgoingPayment.objects.get(pk=payment.pk).status == "submitted"
    simulator.settle(payment.reference)
    _wait_for(payment.reference, "settled")
    assert len(simulator.payments) == 1
    assert _balances(account) == (Decimal("380.00"), Decimal("0"), Decimal("-120.00"))
    call_command("ledger_check")
