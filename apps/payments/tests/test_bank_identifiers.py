"""Outgoing payments name another bank's account by IBAN (ISO 13616 mod-97, its country's length and layout)
and optionally its bank by BIC: anything else is a 400 problem and nothing is written — no clearing entry, no
payment, no approval request, nothing for the gateway."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from apps.ledger.models import JournalEntry, LedgerAccount
from apps.organization.models import ApprovalRequest
from apps.outbox.models import OutboxEvent
from apps.payments.models import OutgoingPayment

pytestmark = pytest.mark.django_db
URL = reverse("v1:outgoing-payment-list")
GOOD_IBAN = "PT50000201231234567890154"


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _order(account, **changes):
    return {"from_account": account.number, "amount": "20.00", "currency": "EUR", "rail": "instant",
            "creditor_name": "Ana Costa", "creditor_account": GOOD_IBAN, "creditor_country": "PT", **changes}


def _written(account):
    return (LedgerAccount.objects.get(pk=account.ledger_account_id).balance, JournalEntry.objects.count(),
            OutgoingPayment.objects.count(), OutgoingPayment.history.count(), ApprovalRequest.objects.count(),
            OutboxEvent.objects.count())


@pytest.mark.parametrize("iban", [
    pytest.param("DE00000000000000000000", id="bad-check-digits"),
    pytest.param("'; DROP TABLE x;--", id="sql"),
    pytest.param("PT50000201231234567890155", id="one-digit-off"),
    pytest.param("PT5000020123123456789015", id="too-short-for-its-country"),
    pytest.param("XX82WEST12345698765432", id="unknown-country"),
])
def test_an_outgoing_payment_to_an_invalid_iban_is_refused_and_writes_nothing(alice, alice_account, iban):
    # given
    before = _written(alice_account)
    # when
    response = _client(alice.user).post(URL, _order(alice_account, creditor_account=iban), format="json",
                                        HTTP_IDEMPOTENCY_KEY="bad-iban")
    # then
    assert response.status_code == 400, response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "invalid_iban"
    assert _written(alice_account) == before


@pytest.mark.parametrize("bic", ["XXXXXXXX", "DEUTDEFF5", "1234", "DEUTDEF!"])
def test_an_outgoing_payment_with_an_invalid_bic_is_refused_and_writes_nothing(alice, alice_account, bic):
    before = _written(alice_account)
    response = _client(alice.user).post(URL, _order(alice_account, creditor_bic=bic), format="json",
                                        HTTP_IDEMPOTENCY_KEY="bad-bic")
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "invalid_bic"
    assert _written(alice_account) == before


def test_a_staff_payment_above_the_threshold_with_an_invalid_iban_records_no_approval_request(
        teller_a, alice_account, settings):
    # given: every staff payment needs a checker
    settings.STAFF_PAYMENT_APPROVAL_THRESHOLDS = {"EUR": "0.00"}
    before = _written(alice_account)
    # when
    response = _client(teller_a).post(URL, _order(alice_account, creditor_account="DE00000000000000000000"),
                                      format="json", HTTP_IDEMPOTENCY_KEY="staff-bad-iban")
    # then
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "invalid_iban"
    assert _written(alice_account) == before


def test_a_valid_iban_with_spaces_and_a_lower_case_bic_are_stored_compact(alice, alice_account,
                                                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):  # the gateway is not this test's business
        response = _client(alice.user).post(
            URL, _order(alice_account, creditor_account="pt50 0002 0123 1234 5678 9015 4", creditor_bic="bcomptpl"),
            format="json", HTTP_IDEMPOTENCY_KEY="good")
    assert response.status_code == 201, response.json()
    payment = OutgoingPayment.objects.get()
    assert (payment.creditor_account, payment.creditor_bic) == (GOOD_IBAN, "BCOMPTPL")
