"""Maker-checker on large staff-initiated payments: above the threshold nothing moves until another entitled
person approves, and the approval runs the payment exactly once."""

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from apps.accounts.tests.factories import open_funded_account
from apps.ledger.models import JournalEntry, LedgerAccount
from apps.money import Money
from apps.organization.errors import CheckerIsMaker, RequestNotPending
from apps.organization.models import ApprovalRequest
from apps.organization.services import approve_request
from apps.payments.models import FraudDecision, OutgoingPayment, Transfer
from apps.payments.services.staff_payments import needs_checker, submit_outgoing_payment
from apps.payments.tests.factories import fraud_rule

pytestmark = pytest.mark.django_db
TRANSFERS = reverse("v1:transfer-list")


@pytest.fixture
def big_account(alice, savings, teller_a):
    return open_funded_account(alice, savings, "50000.00", teller=teller_a)


def _staff_transfer(teller, payer, payee, amount, key="big"):
    client = APIClient()
    client.force_authenticate(teller)
    return client.post(TRANSFERS, {"from_account": payer.number, "to_account": payee.number, "amount": amount,
                                   "currency": "EUR"}, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_staff_transfer_above_the_threshold_waits_for_a_checker(teller_a, big_account, bob_account):
    response = _staff_transfer(teller_a, big_account, bob_account, "10000.01")
    assert response.status_code == 202, response.json()
    request = ApprovalRequest.objects.get(pk=response.json()["approval_request"])
    assert (request.operation, request.state, request.maker) == ("payments.transfer", "pending", teller_a)
    assert not Transfer.objects.exists()
    assert not JournalEntry.objects.filter(source="transfer").exists()


def test_staff_transfer_at_the_threshold_runs_at_once(teller_a, big_account, bob_account):
    assert _staff_transfer(teller_a, big_account, bob_account, "10000.00").status_code == 201


def test_the_maker_cannot_approve_and_the_approval_executes_exactly_once(teller_a, manager_a, big_account,
                                                                         bob_account):
    response = _staff_transfer(teller_a, big_account, bob_account, "12000.00")
    request = ApprovalRequest.objects.get(pk=response.json()["approval_request"])
    with pytest.raises(CheckerIsMaker):
        approve_request(request=request, checker=teller_a)
    assert not Transfer.objects.exists()
    approved = approve_request(request=request, checker=manager_a)
    with pytest.raises(RequestNotPending):
        approve_request(request=request, checker=manager_a)
    transfer = Transfer.objects.get()
    assert approved.result == {"transfer": transfer.pk, "status": "completed"}
    assert (transfer.initiated_by, transfer.amount) == (teller_a, Decimal("12000.00"))
    assert LedgerAccount.objects.get(pk=bob_account.ledger_account_id).balance == Decimal("12100.00")
    assert JournalEntry.objects.filter(source="transfer").count() == 1
    # the maker's replay of the same request answers the same 202, and nothing runs again
    again = _staff_transfer(teller_a, big_account, bob_account, "12000.00")
    assert again.json()["approval_request"] == request.pk
    assert Transfer.objects.count() == 1


def test_customers_are_never_sent_to_maker_checker(alice, big_account, bob_account, settings):
    settings.BENEFICIARY_COOLING_OFF_AMOUNTS = {"EUR": "100000.00"}
    client = APIClient()
    client.force_authenticate(alice.user)
    response = client.post(TRANSFERS, {"from_account": big_account.number, "to_account": bob_account.number,
                                       "amount": "20000.00", "currency": "EUR"}, format="json",
                           HTTP_IDEMPOTENCY_KEY="c")
    assert response.status_code == 201
    assert not ApprovalRequest.objects.exists()


def test_large_staff_outgoing_payment_waits_and_runs_on_approval(teller_a, manager_a, big_account,
                                                                django_capture_on_commit_callbacks):
    pending = submit_outgoing_payment(
        from_account_number=big_account.number, money=Money("15000.00", "EUR"), rail="high_value",
        creditor_name="Ana", creditor_account="PT50000201231234567890154", creditor_country="PT",
        initiated_by=teller_a, idempotency_key="out", payer_accounts=None)
    assert isinstance(pending, ApprovalRequest)
    assert not OutgoingPayment.objects.exists()
    with django_capture_on_commit_callbacks() as submitted:
        approved = approve_request(request=pending, checker=manager_a)
    payment = OutgoingPayment.objects.get()
    assert approved.result == {"outgoing_payment": payment.reference, "status": "initiated"}
    # the submission to the gateway, and the money movement's outbox delivery (for monitoring)
    assert sorted(c.__qualname__ for c in submitted) == ["publish_event.<locals>.<lambda>",
                                                          "send_task_on_commit.<locals>.<lambda>"]
    assert LedgerAccount.objects.get(pk=big_account.ledger_account_id).balance == Decimal("35000.00")


def test_a_fraud_block_at_approval_closes_the_request_and_keeps_the_decision(teller_a, manager_a, big_account,
                                                                             bob_account):
    response = _staff_transfer(teller_a, big_account, bob_account, "12000.00")
    fraud_rule("high_risk_country", name="Domestic review", countries=["PT"])
    request = ApprovalRequest.objects.get(pk=response.json()["approval_request"])
    approved = approve_request(request=request, checker=manager_a)
    assert approved.result["status"] == "blocked_by_fraud_rule"
    assert not Transfer.objects.exists()
    assert FraudDecision.objects.get().action == "block"


def test_the_approval_threshold_is_the_one_of_the_payments_currency(teller_a, settings):
    # given: 10,000 euros, 1,500,000 yen
    settings.STAFF_PAYMENT_APPROVAL_THRESHOLDS = {"EUR": "10000.00", "JPY": "1500000"}
    # then: 15,000 yen runs at once, whatever 15,000 euros would do
    assert not needs_checker(initiated_by=teller_a, money=Money("15000", "JPY"))
    assert not needs_checker(initiated_by=teller_a, money=Money("1500000", "JPY"))
    assert needs_checker(initiated_by=teller_a, money=Money("1500001", "JPY"))
    assert not needs_checker(initiated_by=teller_a, money=Money("10000.00", "EUR"))
    assert needs_checker(initiated_by=teller_a, money=Money("10000.01", "EUR"))


def test_a_currency_without_an_approval_threshold_always_needs_a_checker(teller_a, alice, settings):
    settings.STAFF_PAYMENT_APPROVAL_THRESHOLDS = {"EUR": "10000.00"}
    assert needs_checker(initiated_by=teller_a, money=Money("1.00", "USD"))
    assert not needs_checker(initiated_by=alice.user, money=Money("1000000.00", "USD"))  # customers: never


def test_a_staff_payment_in_a_currency_without_a_threshold_waits_and_moves_nothing(
        teller_a, big_account, bob_account, settings):
    # given: the bank set no approval threshold for its own accounts' currency
    settings.STAFF_PAYMENT_APPROVAL_THRESHOLDS = {"USD": "10000.00"}
    before = LedgerAccount.objects.get(pk=big_account.ledger_account_id).balance
    # when
    response = _staff_transfer(teller_a, big_account, bob_account, "1.00")
    # then
    assert response.status_code == 202, response.json()
    assert ApprovalRequest.objects.get().operation == "payments.transfer"
    assert not Transfer.objects.exists()
    assert LedgerAccount.objects.get(pk=big_account.ledger_account_id).balance == before
