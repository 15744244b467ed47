"""A blocked (or closed) customer's money stops leaving: every debit initiated from their accounts is refused
with ``customer_blocked`` (``customer_closed``), and nothing is written; money coming in still lands."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from apps.accounts.models import TellerTransaction
from apps.accounts.services.teller import cash_deposit, cash_withdrawal, submit_cash_operation
from apps.customers.errors import CustomerMayNotSend
from apps.customers.models import Customer
from apps.customers.services import block_customer, unblock_customer
from apps.ledger.models import JournalEntry, LedgerAccount
from apps.money import Money
from apps.organization.models import ApprovalRequest
from apps.organization.services import approve_request
from apps.payments.models import (
    OutgoingPayment,
    PaymentReview,
    StandingOrderExecution,
    Transfer,
)
from apps.payments.services.reviews import release_held_payment
from apps.payments.services.standing_orders import create_standing_order, execute_due_standing_orders
from apps.payments.services.transfers import facts as transfer_facts
from apps.payments.services.transfers import transfer_between_accounts
from apps.payments.tests.factories import fraud_rule

pytestmark = pytest.mark.django_db
TRANSFERS = reverse("v1:transfer-list")
OUTGOING = reverse("v1:outgoing-payment-list")
EXTERNAL_IBAN = "PT50000201231234567890154"
EUR = "EUR"


@pytest.fixture(params=["sql", "orm"])
def facts_reader(request, monkeypatch):
    """Both readers of a transfer's facts (PostgreSQL's statements, the ORM's queries) see the payer's status."""
    monkeypatch.setattr(transfer_facts, "USE_SQL", request.param == "sql")
    return request.param


def _client(customer):
    client = APIClient()
    client.force_authenticate(customer.user)
    return client


def _balances(*accounts):
    return [LedgerAccount.objects.get(pk=a.ledger_account_id).balance for a in accounts]


def _block(customer, officer):
    return block_customer(customer=customer, reason="fraud suspected", actor=officer)


def _unblock(customer, officer):
    return unblock_customer(customer=Customer.objects.get(pk=customer.pk), reason="cleared", actor=officer)


def _transfer_body(payer, payee, amount="10.00"):
    return {"from_account": payer.number, "to_account": payee.number, "amount": amount, "currency": EUR,
            "reference": "rent"}


def _nothing_written(before_balances, accounts, *, entries, transfers=0, outgoing=0):
    assert _balances(*accounts) == before_balances
    assert JournalEntry.objects.count() == entries
    assert Transfer.objects.count() == transfers
    assert OutgoingPayment.objects.count() == outgoing


def test_a_blocked_payers_api_transfer_is_refused_then_allowed_after_unblock(
        facts_reader, alice, alice_account, bob_account, compliance_officer):
    _block(alice, compliance_officer)
    before, entries = _balances(alice_account, bob_account), JournalEntry.objects.count()
    response = _client(alice).post(TRANSFERS, _transfer_body(alice_account, bob_account), format="json",
                                   HTTP_IDEMPOTENCY_KEY="t1")
    assert response.status_code == 409, response.json()
    assert response.json()["code"] == "customer_blocked"
    _nothing_written(before, [alice_account, bob_account], entries=entries)

    _unblock(alice, compliance_officer)
    response = _client(alice).post(TRANSFERS, _transfer_body(alice_account, bob_account), format="json",
                                   HTTP_IDEMPOTENCY_KEY="t2")
    assert response.status_code == 201, response.json()
    assert _balances(alice_account, bob_account) == [Decimal("490.00"), Decimal("110.00")]


def test_a_transfer_to_a_blocked_customers_account_is_still_accepted(
        facts_reader, bob, alice_account, bob_account, alice, compliance_officer):
    _block(alice, compliance_officer)
    response = _client(bob).post(TRANSFERS, _transfer_body(bob_account, alice_account), format="json",
                                 HTTP_IDEMPOTENCY_KEY="in-1")
    assert response.status_code == 201, response.json()
    assert _balances(alice_account, bob_account) == [Decimal("510.00"), Decimal("90.00")]


def test_a_closed_payers_transfer_is_refused_as_customer_closed(facts_reader, alice, alice_account, bob_account):
    Customer.objects.filter(pk=alice.pk).update(status=Customer.Status.CLOSED)
    before, entries = _balances(alice_account, bob_account), JournalEntry.objects.count()
    with pytest.raises(CustomerMayNotSend) as refused:
        transfer_between_accounts(from_account_number=alice_account.number, to_account_number=bob_account.number,
                                  money=Money("10.00", EUR), initiated_by=alice.user, idempotency_key="c1")
    assert refused.value.code == "customer_closed"
    _nothing_written(before, [alice_account, bob_account], entries=entries)


def test_a_staff_transfer_from_a_blocked_customers_account_is_refused(
        facts_reader, alice, alice_account, bob_account, compliance_officer, teller_a):
    _block(alice, compliance_officer)
    before, entries = _balances(alice_account, bob_account), JournalEntry.objects.count()
    with pytest.raises(CustomerMayNotSend) as refused:
        transfer_between_accounts(from_account_number=alice_account.number, to_account_number=bob_account.number,
                                  money=Money("10.00", EUR), channel="branch", initiated_by=teller_a,
                                  idempotency_key="s1")
    assert refused.value.code == "customer_blocked"
    _nothing_written(before, [alice_account, bob_account], entries=entries)


def test_a_blocked_payers_outgoing_payment_is_refused_then_allowed_after_unblock(
        alice, alice_account, compliance_officer):
    _block(alice, compliance_officer)
    before, entries = _balances(alice_account), JournalEntry.objects.count()
    body = {"from_account": alice_account.number, "amount": "50.00", "currency": EUR, "rail": "instant",
            "creditor_name": "Ana", "creditor_account": EXTERNAL_IBAN, "creditor_country": "PT"}
    response = _client(alice).post(OUTGOING, body, format="json", HTTP_IDEMPOTENCY_KEY="o1")
    assert response.status_code == 409, response.json()
    assert response.json()["code"] == "customer_blocked"
    _nothing_written(before, [alice_account], entries=entries)

    _unblock(alice, compliance_officer)
    response = _client(alice).post(OUTGOING, body, format="json", HTTP_IDEMPOTENCY_KEY="o2")
    assert response.status_code in (201, 202), response.json()
    assert _balances(alice_account) == [Decimal("450.00")]


def test_a_blocked_customers_cash_withdrawal_is_refused_and_a_deposit_is_not(
        alice, alice_account, teller_a, compliance_officer):
    _block(alice, compliance_officer)
    before, entries = _balances(alice_account), JournalEntry.objects.count()
    with pytest.raises(CustomerMayNotSend) as refused:
        cash_withdrawal(account=alice_account, amount=Money("20.00", EUR), teller=teller_a, idempotency_key="w1")
    assert refused.value.code == "customer_blocked"
    with pytest.raises(CustomerMayNotSend):
        submit_cash_operation(kind="withdrawal", account=alice_account, amount=Money("20.00", EUR),
                              teller=teller_a, idempotency_key="w1")
    _nothing_written(before, [alice_account], entries=entries)
    assert not TellerTransaction.objects.filter(idempotency_key="w1").exists()

    cash_deposit(account=alice_account, amount=Money("30.00", EUR), teller=teller_a, idempotency_key="d1")
    assert _balances(alice_account) == [Decimal("530.00")]
    _unblock(alice, compliance_officer)
    cash_withdrawal(account=alice_account, amount=Money("20.00", EUR), teller=teller_a, idempotency_key="w1")
    assert _balances(alice_account) == [Decimal("510.00")]


def test_an_above_limit_withdrawal_is_refused_at_approval_once_the_customer_is_blocked(
        alice, alice_account, teller_a, manager_a, compliance_officer, settings):
    settings.TELLER_CASH_LIMITS = {"Teller": {EUR: "10.00"}, "Branch manager": {EUR: "50000.00"}}
    request = submit_cash_operation(kind="withdrawal", account=alice_account, amount=Money("200.00", EUR),
                                    teller=teller_a, idempotency_key="big")
    assert isinstance(request, ApprovalRequest)
    _block(alice, compliance_officer)
    before, entries = _balances(alice_account), JournalEntry.objects.count()
    with pytest.raises(CustomerMayNotSend):
        approve_request(request=request, checker=manager_a)
    _nothing_written(before, [alice_account], entries=entries)
    assert not TellerTransaction.objects.filter(idempotency_key="big").exists()


def test_a_blocked_payers_standing_order_fails_with_the_code_and_runs_after_unblock(
        alice, alice_account, bob_account, compliance_officer):
    create_standing_order(from_account=alice_account, to_account_number=bob_account.number,
                          money=Money("100.00", EUR), frequency="monthly", day_of_month=31,
                          start_date=datetime.date(2026, 1, 1), created_by=alice.user, reference="rent")
    _block(alice, compliance_officer)
    before, entries = _balances(alice_account, bob_account), JournalEntry.objects.count()
    assert execute_due_standing_orders(datetime.date(2026, 1, 31))["failed"] == 1
    execution = StandingOrderExecution.objects.get()
    assert (execution.status, execution.failure_code) == ("failed", "customer_blocked")
    _nothing_written(before, [alice_account, bob_account], entries=entries)

    _unblock(alice, compliance_officer)
    assert execute_due_standing_orders(datetime.date(2026, 2, 1))["executed"] == 1
    assert _balances(alice_account, bob_account) == [Decimal("400.00"), Decimal("200.00")]


def test_a_held_transfer_is_not_released_while_its_payer_is_blocked(
        alice, alice_account, bob_account, compliance_officer):
    fraud_rule("high_risk_country", action="hold", name="Review destinations", countries=["PT", "IR"])
    transfer = transfer_between_accounts(from_account_number=alice_account.number,
                                         to_account_number=bob_account.number, money=Money("100.00", EUR),
                                         initiated_by=alice.user, idempotency_key="h1")
    assert transfer.status == Transfer.Status.HELD
    _block(alice, compliance_officer)
    before, entries = _balances(alice_account, bob_account), JournalEntry.objects.count()
    with pytest.raises(CustomerMayNotSend):
        release_held_payment(review=transfer.review, actor=compliance_officer, reason="known payee")
    _nothing_written(before, [alice_account, bob_account], entries=entries, transfers=1)
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.HELD and transfer.hold.status == "active"
    assert PaymentReview.objects.get().status == PaymentReview.Status.PENDING

    _unblock(alice, compliance_officer)
    release_held_payment(review=PaymentReview.objects.get(), actor=compliance_officer, reason="known payee")
    assert _balances(alice_account, bob_account) == [Decimal("400.00"), Decimal("200.00")]


def test_a_held_outgoing_payment_is_not_released_while_its_payer_is_blocked(
        alice, alice_account, compliance_officer, django_capture_on_commit_callbacks):
    from apps.payments.services.external import initiate_outgoing_payment

    fraud_rule("high_risk_country", action="hold", name="Review destinations", countries=["IR"])
    payment = initiate_outgoing_payment(
        from_account_number=alice_account.number, money=Money("100.00", EUR), rail="instant", creditor_name="Ana",
        creditor_account=EXTERNAL_IBAN, creditor_country="IR", initiated_by=alice.user, idempotency_key="p1")
    assert payment.status == OutgoingPayment.Status.HELD
    _block(alice, compliance_officer)
    entries = JournalEntry.objects.count()
    with django_capture_on_commit_callbacks() as submitted, pytest.raises(CustomerMayNotSend):
        release_held_payment(review=payment.review, actor=compliance_officer, reason="known payee")
    assert submitted == [] and JournalEntry.objects.count() == entries
    payment.refresh_from_db()
    assert payment.status == OutgoingPayment.Status.HELD
    assert PaymentReview.objects.get().status == PaymentReview.Status.PENDING
