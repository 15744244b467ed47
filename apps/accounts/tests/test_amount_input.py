"""Hostile amounts on the staff money endpoints (cash deposits and withdrawals, holds): the same one amount
field as transfers, in the account's currency; a refusal is a 400 problem with a code and writes nothing."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import Account, Hold, TellerTransaction
from apps.accounts.tests.factories import open_funded_account
from apps.idempotency.models import IdempotencyKey
from apps.ledger.models import JournalEntry, LedgerAccount
from apps.organization.models import ApprovalRequest

pytestmark = pytest.mark.django_db

BAD_AMOUNTS = [
    pytest.param(12.5, "invalid_amount", id="json-float"),
    pytest.param(10, "invalid_amount", id="json-integer"),
    pytest.param("\u0661\u0662.\u0665\u0660", "invalid_amount", id="arabic-indic-digits"),
    pytest.param("\uff11\uff12.\uff10\uff10", "invalid_amount", id="fullwidth-digits"),
    pytest.param("1e3", "invalid_amount", id="exponent"),
    pytest.param(" 12.00 ", "invalid_amount", id="surrounding-spaces"),
    pytest.param("12.00\n", "invalid_amount", id="trailing-newline"),
    pytest.param("-5.00", "amount_not_positive", id="negative"),
    pytest.param("0", "amount_not_positive", id="zero"),
    pytest.param("1.001", "too_many_decimals", id="three-decimals-eur"),
]


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _written(account):
    return (LedgerAccount.objects.get(pk=account.ledger_account_id).balance, JournalEntry.objects.count(),
            TellerTransaction.objects.count(), Hold.objects.count(), ApprovalRequest.objects.count(),
            Hold.history.count(), Account.history.count(), IdempotencyKey.objects.count())


@pytest.fixture
def account(customer, savings, teller_a):
    return open_funded_account(customer, savings, "100.00", teller=teller_a)


@pytest.mark.parametrize("operation", ["deposit", "withdrawal"])
@pytest.mark.parametrize(("amount", "code"), BAD_AMOUNTS)
def test_cash_refuses_an_amount_that_is_not_a_plain_digit_string(account, teller_a, operation, amount, code):
    # given
    before = _written(account)
    # when
    response = _client(teller_a).post(f"/api/v1/accounts/{account.number}/{operation}/", {"amount": amount},
                                      format="json", HTTP_IDEMPOTENCY_KEY="hostile-cash")
    # then
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == code
    assert _written(account) == before


@pytest.mark.parametrize(("amount", "code"), BAD_AMOUNTS)
def test_a_hold_refuses_an_amount_that_is_not_a_plain_digit_string(account, teller_a, amount, code):
    # given
    before = _written(account)
    # when
    response = _client(teller_a).post(f"/api/v1/accounts/{account.number}/holds/",
                                      {"amount": amount, "reason": "card"}, format="json",
                                      HTTP_IDEMPOTENCY_KEY="hold-bad-amount")
    # then
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == code
    assert _written(account) == before


def test_a_cash_deposit_of_1e3_is_not_read_as_a_thousand(account, teller_a):
    response = _client(teller_a).post(f"/api/v1/accounts/{account.number}/deposit/", {"amount": "1e3"},
                                      format="json", HTTP_IDEMPOTENCY_KEY="1e3")
    assert response.status_code == 400
    assert LedgerAccount.objects.get(pk=account.ledger_account_id).balance == Decimal("100.00")


def test_a_hold_in_the_accounts_currency_with_its_decimals_is_placed(account, teller_a):
    response = _client(teller_a).post(f"/api/v1/accounts/{account.number}/holds/",
                                      {"amount": "12.50", "reason": "card"}, format="json",
                                      HTTP_IDEMPOTENCY_KEY="hold-12.50")
    assert response.status_code == 201, response.json()
    assert Hold.objects.get().amount == Decimal("12.50")
