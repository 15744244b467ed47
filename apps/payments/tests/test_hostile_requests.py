"""Hostile requests to the money-moving endpoints: each is a 4xx problem with a code, and nothing is written
(no transfer, no journal entry, no idempotency key, no history)."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from apps.accounts.models import Account
from apps.idempotency.models import IdempotencyKey
from apps.ledger.models import JournalEntry, LedgerAccount
from apps.money import Money
from apps.organization import roles
from apps.organization.tests.factories import StaffFactory
from apps.payments.errors import UnknownAccount
from apps.payments.models import Transfer
from apps.payments.services.transfers import facts as transfer_facts
from apps.payments.services.transfers import transfer_between_accounts

pytestmark = pytest.mark.django_db
URL = reverse("v1:transfer-list")


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _order(payer, payee):
    return {"from_account": payer.number, "to_account": payee.number, "amount": "10.00", "currency": "EUR"}


def _written(*accounts):
    return ([LedgerAccount.objects.get(pk=a.ledger_account_id).balance for a in accounts],
            JournalEntry.objects.count(), Transfer.objects.count(), Transfer.history.count(),
            IdempotencyKey.objects.count())


@pytest.mark.parametrize("length", [129, 200, 230, 255, 300])
def test_an_idempotency_key_longer_than_128_characters_is_a_400_problem(alice, alice_account, bob_account, length):
    # given
    before = _written(alice_account, bob_account)
    # when
    response = _client(alice.user).post(URL, _order(alice_account, bob_account), format="json",
                                        HTTP_IDEMPOTENCY_KEY="k" * length)
    # then
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_invalid"
    assert _written(alice_account, bob_account) == before


def test_an_idempotency_key_of_128_characters_moves_the_money_once(alice, alice_account, bob_account):
    response = _client(alice.user).post(URL, _order(alice_account, bob_account), format="json",
                                        HTTP_IDEMPOTENCY_KEY="k" * 128)
    assert response.status_code == 201, response.json()
    assert Transfer.objects.count() == 1


@pytest.mark.parametrize("key", ["k\x00ey", "clé", "k\tey"])
def test_an_idempotency_key_with_anything_but_printable_ascii_is_a_400_problem(alice, alice_account, bob_account,
                                                                             key):
    before = _written(alice_account, bob_account)
    response = _client(alice.user).post(URL, _order(alice_account, bob_account), format="json",
                                        HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_invalid"
    assert _written(alice_account, bob_account) == before


def test_a_body_of_50000_nested_brackets_is_refused_before_the_fingerprint(alice, alice_account, bob_account):
    # given
    before = _written(alice_account, bob_account)
    # when
    response = _client(alice.user).post(URL, "[" * 50000, content_type="application/json",
                                        HTTP_IDEMPOTENCY_KEY="deep")
    # then
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "too_deeply_nested"
    assert _written(alice_account, bob_account) == before


def test_a_nul_character_in_a_text_field_is_a_400_problem(alice, alice_account, bob_account):
    before = _written(alice_account, bob_account)
    response = _client(alice.user).post(URL, {**_order(alice_account, bob_account), "reference": "din\x00ner"},
                                        format="json", HTTP_IDEMPOTENCY_KEY="nul")
    assert response.status_code == 400
    assert response.json()["code"] == "null_characters_not_allowed"
    assert _written(alice_account, bob_account) == before


def test_a_body_over_the_upload_limit_is_a_413_problem(alice, alice_account, bob_account):
    # given: a 3 MiB order
    before = _written(alice_account, bob_account)
    body = {**_order(alice_account, bob_account), "reference": "x" * (3 * 1024 * 1024)}
    # when
    response = _client(alice.user).post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="big")
    # then
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "request_too_large"
    assert _written(alice_account, bob_account) == before


@pytest.mark.parametrize("role", [roles.AUDITOR, roles.LOAN_OFFICER, roles.OPERATIONS_ADMIN])
def test_a_staff_role_that_may_debit_no_account_gets_a_problem_not_a_crash(branch_a, alice_account, bob_account,
                                                                          role):
    # given: a role whose payer scope is empty (it may debit no account)
    staff = StaffFactory(role=role, home_branch=branch_a)
    before = _written(alice_account, bob_account)
    # when
    response = _client(staff).post(URL, _order(alice_account, bob_account), format="json",
                                   HTTP_IDEMPOTENCY_KEY="no-scope")
    # then
    assert response.status_code == 403, response.content
    assert response.json()["code"] == "payment_initiation_not_allowed"
    # nothing moved (the refusal itself is remembered for replays of the key, like every domain refusal)
    assert _written(alice_account, bob_account)[:4] == before[:4]


@pytest.mark.parametrize("facts_reader", ["sql", "orm"])
def test_an_empty_payer_scope_is_an_unknown_payer_account(alice, alice_account, bob_account, facts_reader,
                                                          monkeypatch):
    # given: a payer scope that is empty as a queryset (what visible_to gives a role without the permission)
    monkeypatch.setattr(transfer_facts, "USE_SQL", facts_reader == "sql")
    before = _written(alice_account, bob_account)
    # when / then
    with pytest.raises(UnknownAccount):
        transfer_between_accounts(from_account_number=alice_account.number, to_account_number=bob_account.number,
                                  money=Money("10.00", "EUR"), initiated_by=alice.user, idempotency_key="none",
                                  payer_accounts=Account.objects.none())
    assert _written(alice_account, bob_account) == before
