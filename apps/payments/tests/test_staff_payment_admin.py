"""Staff transfers and payments to other banks from the admin: the same services as the API (four-eyes above the
threshold), and a key made once per form so a double submit pays once."""

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from apps.accounts.tests.factories import open_funded_account
from apps.ledger.models import JournalEntry, LedgerAccount
from apps.organization.models import ApprovalRequest
from apps.payments.models import OutgoingPayment, Transfer

pytestmark = pytest.mark.django_db
NEW_TRANSFER = reverse("admin:payments_transfer_new")
NEW_PAYMENT = reverse("admin:payments_outgoingpayment_new")
IBAN = "PT50000201231234567890154"


@pytest.fixture
def big_account(alice, savings, teller_a):
    return open_funded_account(alice, savings, "50000.00", teller=teller_a)


def _login(user):
    client = Client()
    client.force_login(user)
    return client


def _key_of(page: str) -> str:
    return re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)


def _balance(account) -> Decimal:
    return LedgerAccount.objects.get(pk=account.ledger_account_id).balance


def test_a_teller_transfers_from_the_admin_and_a_double_submit_pays_once(teller_a, alice_account, bob_account):
    # given the form, as shown once
    client = _login(teller_a)
    listing = client.get(reverse("admin:payments_transfer_changelist")).content.decode()
    assert "New staff transfer" in listing
    page = client.get(NEW_TRANSFER).content.decode()
    assert 'value="Submit transfer"' in page
    order = {"idempotency_key": _key_of(page), "from_account": alice_account.number,
             "to_account": bob_account.number, "amount": "25.00", "currency": "EUR", "reference": "rent"}
    # when it is submitted twice
    first = client.post(NEW_TRANSFER, order, follow=True)
    second = client.post(NEW_TRANSFER, order, follow=True)
    # then one transfer, shown both times
    transfer = Transfer.objects.get()
    assert (transfer.initiated_by, transfer.amount, transfer.channel) == (teller_a, Decimal("25.00"), "branch")
    for response in (first, second):
        assert response.redirect_chain[-1][0] == reverse("admin:payments_transfer_change", args=[transfer.pk])
        assert f"Transfer {transfer.pk}: completed." in response.content.decode()
    assert _balance(alice_account) == Decimal("475.00") and _balance(bob_account) == Decimal("125.00")
    assert JournalEntry.objects.filter(source="transfer").count() == 1


def test_two_renders_of_the_form_have_two_keys(teller_a):
    client = _login(teller_a)
    assert _key_of(client.get(NEW_TRANSFER).content.decode()) != _key_of(client.get(NEW_TRANSFER).content.decode())


def test_above_the_threshold_the_transfer_waits_for_a_checker(teller_a, big_account, bob_account):
    client = _login(teller_a)
    order = {"idempotency_key": _key_of(client.get(NEW_TRANSFER).content.decode()),
             "from_account": big_account.number, "to_account": bob_account.number, "amount": "12000.00",
             "currency": "EUR", "reference": ""}
    response = client.post(NEW_TRANSFER, order, follow=True)
    client.post(NEW_TRANSFER, order)  # the double submit finds the same request
    request = ApprovalRequest.objects.get()
    assert (request.operation, request.state, request.maker) == ("payments.transfer", "pending", teller_a)
    assert f"approval request {request.pk} waits for a checker" in response.content.decode()
    assert not Transfer.objects.exists() and _balance(big_account) == Decimal("50000.00")


def test_a_refused_transfer_shows_the_reason_and_moves_nothing(teller_a, alice_account, bob_account):
    client = _login(teller_a)
    order = {"idempotency_key": _key_of(client.get(NEW_TRANSFER).content.decode()),
             "from_account": alice_account.number, "to_account": bob_account.number, "amount": "9000.00",
             "currency": "EUR", "reference": ""}
    response = client.post(NEW_TRANSFER, order)
    assert response.status_code == 200 and "errornote" in response.content.decode()
    assert order["idempotency_key"] in response.content.decode()  # the re-shown form keeps its key
    assert not Transfer.objects.exists() and not ApprovalRequest.objects.exists()
    assert _balance(alice_account) == Decimal("500.00")


def test_another_branchs_account_is_not_the_tellers_to_debit(teller_b, alice_account, bob_account):
    client = _login(teller_b)
    order = {"idempotency_key": "admin-x", "from_account": alice_account.number, "to_account": bob_account.number,
             "amount": "5.00", "currency": "EUR", "reference": ""}
    response = client.post(NEW_TRANSFER, order)
    assert response.status_code == 200 and "errornote" in response.content.decode()
    assert not Transfer.objects.exists() and _balance(alice_account) == Decimal("500.00")


def test_roles_that_move_no_money_are_refused_the_pages(compliance_officer, auditor, alice_account, bob_account):
    for user in (compliance_officer, auditor):
        client = _login(user)
        assert "New staff transfer" not in client.get(reverse("admin:payments_transfer_changelist")).content.decode()
        for url in (NEW_TRANSFER, NEW_PAYMENT):
            assert client.post(url, {"idempotency_key": "k", "from_account": alice_account.number,
                                     "to_account": bob_account.number, "amount": "5.00",
                                     "currency": "EUR"}).status_code == 403
    assert not Transfer.objects.exists() and not OutgoingPayment.objects.exists()


def test_a_teller_pays_another_bank_from_the_admin_once(teller_a, alice_account,
                                                       django_capture_on_commit_callbacks):
    client = _login(teller_a)
    assert "New payment to another bank" in client.get(
        reverse("admin:payments_outgoingpayment_changelist")).content.decode()
    order = {"idempotency_key": _key_of(client.get(NEW_PAYMENT).content.decode()),
             "from_account": alice_account.number, "amount": "40.00", "currency": "EUR", "rail": "same_day",
             "creditor_name": "Ana Silva", "creditor_account": IBAN, "creditor_bic": "", "creditor_country": "pt",
             "remittance_information": "invoice 7"}
    with django_capture_on_commit_callbacks(execute=False):
        first = client.post(NEW_PAYMENT, order, follow=True)
        client.post(NEW_PAYMENT, order)
    payment = OutgoingPayment.objects.get()
    assert (payment.initiated_by, payment.amount, payment.creditor_country) == (teller_a, Decimal("40.00"), "PT")
    assert f"Payment {payment.reference}" in first.content.decode()
    assert _balance(alice_account) == Decimal("460.00")


def test_a_large_payment_to_another_bank_waits_for_a_checker(teller_a, big_account):
    client = _login(teller_a)
    order = {"idempotency_key": _key_of(client.get(NEW_PAYMENT).content.decode()),
             "from_account": big_account.number, "amount": "15000.00", "currency": "EUR", "rail": "high_value",
             "creditor_name": "Ana Silva", "creditor_account": IBAN, "creditor_bic": "", "creditor_country": "PT",
             "remittance_information": ""}
    client.post(NEW_PAYMENT, order)
    request = ApprovalRequest.objects.get()
    assert request.operation == "payments.outgoing_payment" and request.state == "pending"
    assert not OutgoingPayment.objects.exists() and _balance(big_account) == Decimal("50000.00")


def test_an_invalid_iban_is_refused_and_nothing_is_recorded(teller_a, big_account):
    client = _login(teller_a)
    order = {"idempotency_key": "admin-y", "from_account": big_account.number, "amount": "15000.00",
             "currency": "EUR", "rail": "high_value", "creditor_name": "Ana", "creditor_account": "PT00123",
             "creditor_bic": "", "creditor_country": "PT", "remittance_information": ""}
    response = client.post(NEW_PAYMENT, order)
    assert response.status_code == 200 and "errornote" in response.content.decode()
    assert not ApprovalRequest.objects.exists() and not OutgoingPayment.objects.exists()


def test_the_beneficiary_list_is_spelled_beneficiaries(teller_a):
    page = _login(teller_a).get(reverse("admin:payments_beneficiary_changelist")).content.decode()
    assert "Beneficiaries" in page and "Beneficiarys" not in page
