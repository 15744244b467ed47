"""Every kind of money movement reaches monitoring after it commits: the right rows, one per customer side, with
the counterparty as it was; a movement that rolled back is never recorded."""

import pytest
from django.db import transaction

from apps.accounts.tests.factories import open_funded_account
from apps.compliance.models import MonitoredTransaction
from apps.customers.tests.factories import verified_customer
from apps.loans.services.repayment import repay_loan
from apps.loans.tests.factories import loan_product
from apps.loans.tests.loan_factories import booked_loan, loan_staff
from apps.money import Money
from apps.organization.tests.factories import CustomerUserFactory
from apps.outbox.models import OutboxEvent
from apps.payments.models import Channel
from apps.payments.services.external import initiate_outgoing_payment, receive_incoming_payment
from apps.payments.services.transfers import transfer_between_accounts

pytestmark = pytest.mark.django_db


@pytest.fixture
def payer_and_payee(customer, savings, teller_a, branch_a):
    payer = open_funded_account(customer, savings, "500.00", teller=teller_a)
    payee = open_funded_account(verified_customer(branch=branch_a), savings, "10.00", teller=teller_a)
    return payer, payee


def _rows(**filters):
    return list(MonitoredTransaction.objects.filter(**filters).order_by("direction", "id"))


def test_a_transfer_is_two_rows_one_per_customer_side(payer_and_payee, teller_a,
                                                      django_capture_on_commit_callbacks):
    payer, payee = payer_and_payee

    with django_capture_on_commit_callbacks(execute=True):
        transfer = transfer_between_accounts(from_account_number=payer.number, to_account_number=payee.number,
                                             money=Money("120.00", "EUR"), channel=Channel.API,
                                             initiated_by=teller_a, idempotency_key="t-1")

    incoming, outgoing = _rows(entry=transfer.entry)
    assert (outgoing.kind, outgoing.channel, outgoing.account, outgoing.customer_id) == (
        "transfer", "internal", payer, payer.customer_id)
    assert (incoming.account, incoming.customer_id, incoming.direction) == (payee, payee.customer_id, "in")
    assert outgoing.amount == incoming.amount == transfer.amount  # the fee is the bank's, not the payee's
    assert outgoing.counterparty_account == payee and incoming.counterparty_account == payer
    assert outgoing.counterparty_key == f"account:{payee.pk}"
    assert outgoing.account_idle_days == 0  # the payer's funding deposit was today, read before this transfer
    assert outgoing.business_date == transfer.business_date
    assert outgoing.evaluated_at is not None and incoming.evaluated_at is not None


def test_an_incoming_payment_is_one_row_into_the_beneficiarys_account(payer_and_payee,
                                                                      django_capture_on_commit_callbacks):
    _, payee = payer_and_payee

    with django_capture_on_commit_callbacks(execute=True):
        payment = receive_incoming_payment(gateway="velocitypay", gateway_id="vp_in_7", account_number=payee.number,
                                           money=Money("75.50", "EUR"), debtor_name="Hans Muster",
                                           debtor_account="DE89370400440532013000")

    (row,) = _rows(entry=payment.entry)
    assert (row.kind, row.channel, row.direction, row.account) == ("incoming_payment", "external", "in", payee)
    assert row.counterparty_name == "Hans Muster" and row.counterparty_iban == "DE89370400440532013000"
    assert row.counterparty_country == "DE" and row.counterparty_key == "iban:DE89370400440532013000"


def test_an_outgoing_payment_is_one_row_with_the_other_banks_country(branch_a, savings, teller_a,
                                                                     django_capture_on_commit_callbacks):
    owner = verified_customer(branch=branch_a, user=CustomerUserFactory())
    account = open_funded_account(owner, savings, "500.00", teller=teller_a)

    with django_capture_on_commit_callbacks(execute=True):  # the gateway is not there: the payment waits
        payment = initiate_outgoing_payment(
            from_account_number=account.number, money=Money("120.00", "EUR"), rail="instant",
            creditor_name="Ana Costa", creditor_account="PT50000201231234567890154", creditor_country="pt",
            initiated_by=owner.user, idempotency_key="op-1")

    (row,) = _rows(entry=payment.initiation_entry)
    assert (row.kind, row.channel, row.direction, row.account) == ("outgoing_payment", "external", "out", account)
    assert (row.counterparty_name, row.counterparty_iban, row.counterparty_country) == (
        "Ana Costa", "PT50000201231234567890154", "PT")


def test_a_loan_disbursement_and_a_repayment_are_a_row_each(customer, savings, teller_a, branch_a,
                                                            django_capture_on_commit_callbacks):
    officer = loan_staff(branch_a)
    account = open_funded_account(customer, savings, "500.00", teller=teller_a)

    with django_capture_on_commit_callbacks(execute=True):
        loan = booked_loan(customer=customer, product=loan_product(), account=account, staff=officer,
                           amount="1200.00")
    with django_capture_on_commit_callbacks(execute=True):
        txn = repay_loan(loan=loan, amount=Money("50.00", "EUR"), idempotency_key="r-1", actor=officer,
                         prepayment="shorten_term")

    (paid_out,) = _rows(kind="loan_disbursement")
    assert (paid_out.direction, paid_out.account, paid_out.channel) == ("in", account, "loan")
    assert paid_out.amount == loan.net_disbursed and paid_out.counterparty_key == f"ref:LOAN-{loan.pk}"
    (repaid,) = _rows(entry=txn.journal_entry)
    assert (repaid.kind, repaid.direction, repaid.amount) == ("loan_repayment", "out", txn.amount)


def test_a_movement_that_rolled_back_is_never_recorded(payer_and_payee, teller_a,
                                                       django_capture_on_commit_callbacks):
    payer, payee = payer_and_payee
    events_before = OutboxEvent.objects.filter(event_type="money.moved").count()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            transfer_between_accounts(from_account_number=payer.number, to_account_number=payee.number,
                                      money=Money("120.00", "EUR"), channel=Channel.API, initiated_by=teller_a,
                                      idempotency_key="t-rolled-back")
            raise RuntimeError("the caller's transaction fails after the transfer")

    assert callbacks == []
    assert OutboxEvent.objects.filter(event_type="money.moved").count() == events_before
    assert not MonitoredTransaction.objects.filter(kind="transfer").exists()
