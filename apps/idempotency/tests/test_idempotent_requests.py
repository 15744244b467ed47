"""Replays over HTTP: the first response comes back and nothing moves twice."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from apps.idempotency.models import IdempotencyKey
from apps.idempotency.services import prune_idempotency_keys
from apps.idempotency.tests.urls import MoveMoneyView
from apps.ledger.models import JournalEntry
from apps.ledger.tests.factories import fund, ledger_account
from apps.organization.tests.factories import CustomerUserFactory

pytestmark = pytest.mark.urls("apps.idempotency.tests.urls")


@pytest.fixture
def accounts(bank):
    payer, payee = ledger_account(name="Payer"), ledger_account(name="Payee")
    fund(payer, "100.00")
    return payer, payee


@pytest.fixture
def client(db):
    client = APIClient()
    client.force_authenticate(CustomerUserFactory())
    return client


def _move(client, accounts, amount="10.00", key="k-1"):
    payer, payee = accounts
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post("/move/", {"payer": payer.pk, "payee": payee.pk, "amount": amount}, format="json", **headers)


@pytest.mark.django_db
def test_missing_key_is_a_400_problem_and_moves_nothing(client, accounts):
    response = _move(client, accounts, key=None)
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_missing"
    assert not JournalEntry.objects.filter(source="tests").exists()


@pytest.mark.django_db
def test_replay_returns_the_first_response_and_moves_nothing(client, accounts):
    first = _move(client, accounts)
    calls = MoveMoneyView.calls
    again = _move(client, accounts)
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert MoveMoneyView.calls == calls
    accounts[0].refresh_from_db()
    assert accounts[0].balance == Decimal("90.00")


@pytest.mark.django_db
def test_same_key_with_another_body_is_a_422_problem(client, accounts):
    _move(client, accounts, amount="10.00")
    response = _move(client, accounts, amount="11.00")
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    accounts[0].refresh_from_db()
    assert accounts[0].balance == Decimal("90.00")


@pytest.mark.django_db
def test_keys_belong_to_their_user(accounts):
    first, second = APIClient(), APIClient()
    first.force_authenticate(CustomerUserFactory())
    second.force_authenticate(CustomerUserFactory())
    assert _move(first, accounts, key="shared").status_code == 201
    # another user's identical key is not a replay of the first user's request
    response = _move(second, accounts, key="shared")
    assert "Idempotent-Replayed" not in response
    assert IdempotencyKey.objects.filter(key="shared").count() == 2


@pytest.mark.django_db
def test_a_request_still_in_flight_is_a_409_problem(client, accounts):
    user = client.handler._force_user
    IdempotencyKey.objects.create(user=user, scope="tests.move_money", key="k-1",
                                  request_fingerprint=_fingerprint_of(client, accounts), locked_at=timezone.now())
    response = _move(client, accounts)
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_request_in_progress"
    assert not JournalEntry.objects.filter(source="tests").exists()


def _fingerprint_of(client, accounts):
    import hashlib
    import json

    payer, payee = accounts
    body = json.dumps({"amount": "10.00", "payee": payee.pk, "payer": payer.pk}, sort_keys=True,
                      separators=(",", ":"))
    return hashlib.sha256(f"POST /move/\n{body}".encode()).hexdigest()


@pytest.mark.django_db
def test_a_stale_in_flight_request_is_taken_over_by_the_retry(client, accounts):
    user = client.handler._force_user
    IdempotencyKey.objects.create(user=user, scope="tests.move_money", key="k-1",
                                  request_fingerprint=_fingerprint_of(client, accounts),
                                  locked_at=timezone.now() - datetime.timedelta(minutes=5))
    response = _move(client, accounts)
    assert response.status_code == 201
    assert JournalEntry.objects.filter(source="tests").count() == 1


@pytest.mark.django_db
def test_refusals_are_remembered_too(client, accounts):
    first = _move(client, accounts, amount="1000.00")
    again = _move(client, accounts, amount="1000.00")
    assert first.status_code == again.status_code == 422
    assert first.json()["code"] == "insufficient_funds"
    assert again["Idempotent-Replayed"] == "true"


@pytest.mark.django_db
def test_a_server_error_forgets_the_key_so_the_client_can_retry(accounts):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(CustomerUserFactory())
    response = _move(client, accounts, amount="boom")
    assert response.status_code == 500
    assert not IdempotencyKey.objects.exists()


@pytest.mark.django_db
def test_old_keys_are_pruned_after_their_ttl(client, accounts):
    _move(client, accounts)
    assert prune_idempotency_keys() == 0
    assert prune_idempotency_keys(now=timezone.now() + datetime.timedelta(hours=49)) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_move_money_once(bank):
    payer, payee = ledger_account(name="Payer"), ledger_account(name="Payee")
    fund(payer, "100.00")
    user = CustomerUserFactory()
    statuses = []
    barrier = threading.Barrier(8)

    def send():
        try:
            client = APIClient()
            client.force_authenticate(user)
            barrier.wait()
            statuses.append(_move(client, (payer, payee), key="race").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(statuses) == 8
    assert set(statuses) <= {201, 409}
    assert 201 in statuses
    payer.refresh_from_db()
    assert payer.balance == Decimal("90.00")
    assert JournalEntry.objects.filter(source="tests").count() == 1
