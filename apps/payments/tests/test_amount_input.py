"""Hostile amounts over the API: anything but a string of ASCII digits with at most the currency's decimals is a
400 problem with a code, and nothing is written (transfers and outgoing payments)."""

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from apps.idempotency.models import IdempotencyKey
from apps.ledger.models import JournalEntry, LedgerAccount
from apps.payments.models import OutgoingPayment, Transfer

pytestmark = pytest.mark.django_db

BAD_AMOUNTS = [
    pytest.param(12.5, "invalid_amount", id="json-float"),
    pytest.param(10, "invalid_amount", id="json-integer"),
    pytest.param("\u0661\u0662.\u0665\u0660", "invalid_amount", id="arabic-indic-digits"),
    pytest.param("\uff11\uff12.\uff10\uff10", "invalid_amount", id="fullwidth-digits"),
    pytest.param("1e3", "invalid_amount", id="exponent"),
    pytest.param(" 12.00 ", "invalid_amount", id="surrounding-spaces"),
    pytest.param("12.00\n", "invalid_amount", id="trailing-newline"),
    pytest.param("+12.00", "invalid_amount", id="plus-sign"),
    pytest.param("12.", "invalid_amount", id="dangling-point"),
    pytest.param(".5", "invalid_amount", id="no-integer-part"),
    pytest.param("NaN", "invalid_amount", id="nan"),
    pytest.param("Infinity", "invalid_amount", id="infinity"),
    pytest.param("1_000", "invalid_amount", id="underscore"),
    pytest.param("12,50", "invalid_amount", id="decimal-comma"),
    pytest.param("1" * 16, "invalid_amount", id="too-many-digits"),
    pytest.param(True, "invalid_amount", id="boolean"),
    pytest.param(None, "validation_error", id="null"),
    pytest.param(["12.00"], "invalid_amount", id="list"),
    pytest.param("0", "amount_not_positive", id="zero"),
    pytest.param("0.00", "amount_not_positive", id="zero-with-decimals"),
    pytest.param("-5.00", "amount_not_positive", id="negative"),
    pytest.param("1.001", "too_many_decimals", id="three-decimals-eur"),
    pytest.param("1.000", "too_many_decimals", id="padded-decimals-eur"),
]


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _written(*accounts):
    return ([LedgerAccount.objects.get(pk=a.ledger_account_id).balance for a in accounts],
            JournalEntry.objects.count(), Transfer.objects.count(), OutgoingPayment.objects.count(),
            Transfer.history.count(), OutgoingPayment.history.count(), IdempotencyKey.objects.count())


@pytest.mark.parametrize(("amount", "code"), BAD_AMOUNTS)
def test_a_transfer_refuses_an_amount_that_is_not_a_plain_digit_string(alice, alice_account, bob_account,
                                                                      amount, code):
    # given
    before = _written(alice_account, bob_account)
    order = {"from_account": alice_account.number, "to_account": bob_account.number, "amount": amount,
             "currency": "EUR"}
    # when
    response = _client(alice.user).post(reverse("v1:transfer-list"), order, format="json",
                                        HTTP_IDEMPOTENCY_KEY="hostile-amount")
    # then
    assert response.status_code == 400, response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == code
    assert "amount" in response.json()["errors"]
    assert _written(alice_account, bob_account) == before


@pytest.mark.parametrize(("amount", "code"), BAD_AMOUNTS)
def test_an_outgoing_payment_refuses_an_amount_that_is_not_a_plain_digit_string(alice, alice_account, amount, code):
    # given
    before = _written(alice_account)
    order = {"from_account": alice_account.number, "amount": amount, "currency": "EUR", "rail": "instant",
             "creditor_name": "Ana Costa", "creditor_account": "PT50000201231234567890154", "creditor_country": "PT"}
    # when
    response = _client(alice.user).post(reverse("v1:outgoing-payment-list"), order, format="json",
                                        HTTP_IDEMPOTENCY_KEY="hostile-amount")
    # then
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == code
    assert _written(alice_account) == before


def test_a_refused_amount_does_not_use_up_its_idempotency_key(alice, alice_account, bob_account):
    # given: a transfer refused for its amount (nothing ran, nothing is remembered)
    order = {"from_account": alice_account.number, "to_account": bob_account.number, "amount": "1e3",
             "currency": "EUR"}
    client = _client(alice.user)
    refused = client.post(reverse("v1:transfer-list"), order, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert refused.status_code == 400
    assert not IdempotencyKey.objects.exists()
    # when: the client corrects the amount and sends it again with the same key
    corrected = client.post(reverse("v1:transfer-list"), {**order, "amount": "1000.00"}, format="json",
                            HTTP_IDEMPOTENCY_KEY="k")
    # then: it is not "reused for another request"; it runs (and is refused by the balance rule)
    assert corrected.status_code == 422
    assert corrected.json()["code"] == "insufficient_available_balance"


def test_a_plain_digit_string_with_the_currencys_decimals_moves_the_money(alice, alice_account, bob_account):
    order = {"from_account": alice_account.number, "to_account": bob_account.number, "amount": "12.50",
             "currency": "EUR"}
    response = _client(alice.user).post(reverse("v1:transfer-list"), order, format="json",
                                        HTTP_IDEMPOTENCY_KEY="fine")
    assert response.status_code == 201, response.json()
    assert LedgerAccount.objects.get(pk=bob_account.ledger_account_id).balance == Decimal("112.50")
