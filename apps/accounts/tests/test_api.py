"""The accounts API: a customer sees only their own accounts; staff act within their branch."""

import csv
import io
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import TellerTransaction
from apps.accounts.tests.factories import open_funded_account
from apps.customers.tests.factories import verified_customer
from apps.organization.models import ApprovalRequest
from apps.organization.tests.factories import CustomerUserFactory

pytestmark = pytest.mark.django_db


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def ana(branch_a):
    login = CustomerUserFactory()
    return verified_customer(branch=branch_a, user=login)


def test_a_customer_lists_only_their_own_accounts(ana, savings, teller_a, branch_a, django_assert_max_num_queries):
    mine = [open_funded_account(ana, savings, "100.00", teller=teller_a) for _ in range(2)]
    other = open_funded_account(verified_customer(branch=branch_a), savings, "999.00", teller=teller_a)
    with django_assert_max_num_queries(6):
        response = _client(ana.user).get("/api/v1/accounts/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert {row["number"] for row in rows} == {a.number for a in mine}
    assert rows[0] == {"number": rows[0]["number"], "product": "SAV", "currency": "EUR", "balance": "100.00",
                       "available_balance": "100.00", "status": "active"}
    # and another customer's account is not found, whatever the route
    for path in ("", "transactions/", "statement/?format=csv"):
        assert _client(ana.user).get(f"/api/v1/accounts/{other.number}/{path}").status_code == 404


def test_an_account_number_with_wrong_check_digits_is_a_400_problem(ana, savings, teller_a):
    account = open_funded_account(ana, savings, "1.00", teller=teller_a)
    wrong = account.number[:2] + ("00" if account.number[2:4] != "00" else "01") + account.number[4:]
    response = _client(ana.user).get(f"/api/v1/accounts/{wrong}/")
    assert response.status_code == 400 and response.json()["code"] == "invalid_account_number"


def test_transactions_are_paginated_and_filtered_by_date(ana, savings, teller_a):
    from apps.accounts.tests.factories import deposit

    account = open_funded_account(ana, savings, "10.00", teller=teller_a)
    for _ in range(3):
        deposit(account, "1.00", teller=teller_a)
    response = _client(ana.user).get(f"/api/v1/accounts/{account.number}/transactions/?page_size=2")
    body = response.json()
    assert body["count"] == 4 and len(body["results"]) == 2
    assert body["results"][0]["direction"] == "credit" and body["results"][0]["amount"] == "1.00"
    later = _client(ana.user).get(f"/api/v1/accounts/{account.number}/transactions/?from=2026-11-24").json()
    assert later["count"] == 0


def test_statement_running_balances_equal_the_ledger(ana, savings, teller_a):
    from apps.accounts.services.teller import cash_withdrawal
    from apps.accounts.tests.factories import deposit
    from apps.money import Money

    account = open_funded_account(ana, savings, "100.00", teller=teller_a)
    deposit(account, "25.50", teller=teller_a)
    cash_withdrawal(account=account, amount=Money("40.25", "EUR"), teller=teller_a, idempotency_key="s1")
    response = _client(ana.user).get(f"/api/v1/accounts/{account.number}/statement/?from=2026-11-01&to=2026-11-30")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    lines = [row for row in rows if row[0].startswith("2026-")]
    assert [row[5] for row in lines] == ["100.00", "125.50", "85.25"]
    account.ledger_account.refresh_from_db()
    closing = next(row for row in rows if row[1] == "Closing balance")
    assert Decimal(closing[5]) == account.ledger_account.balance == Decimal("85.25")
    pdf = _client(ana.user).get(f"/api/v1/accounts/{account.number}/statement/?format=pdf")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_staff_open_an_account_and_tellers_deposit_with_an_idempotency_key(ana, savings, teller_a):
    client = _client(teller_a)
    opened = client.post("/api/v1/accounts/", {"customer": ana.pk, "product": "SAV"}, format="json")
    assert opened.status_code == 201, opened.json()
    number = opened.json()["number"]
    missing = client.post(f"/api/v1/accounts/{number}/deposit/", {"amount": "50.00"}, format="json")
    assert missing.status_code == 400 and missing.json()["code"] == "idempotency_key_missing"
    first = client.post(f"/api/v1/accounts/{number}/deposit/", {"amount": "50.00"}, format="json",
                        HTTP_IDEMPOTENCY_KEY="dep-1")
    again = client.post(f"/api/v1/accounts/{number}/deposit/", {"amount": "50.00"}, format="json",
                        HTTP_IDEMPOTENCY_KEY="dep-1")
    assert first.status_code == 201 and again.json() == first.json()
    assert TellerTransaction.objects.count() == 1
    assert client.get(f"/api/v1/accounts/{number}/").json()["balance"] == "50.00"


def test_a_deposit_in_a_currency_without_a_cash_limit_is_a_202_approval_request_and_moves_nothing(
        ana, savings, teller_a, settings):
    # given: cash limits for another currency than the account's
    settings.TELLER_CASH_LIMITS = {"Teller": {"USD": "10000.00"}, "Branch manager": {"USD": "50000.00"}}
    account = open_funded_account(ana, savings, "100.00", teller=teller_a)
    receipts = TellerTransaction.objects.count()
    # when
    response = _client(teller_a).post(f"/api/v1/accounts/{account.number}/deposit/", {"amount": "1.00"},
                                      format="json", HTTP_IDEMPOTENCY_KEY="no-eur-limit")
    # then
    assert response.status_code == 202, response.json()
    assert ApprovalRequest.objects.get(pk=response.json()["approval_request"]).operation == "accounts.cash_operation"
    account.ledger_account.refresh_from_db()
    assert account.ledger_account.balance == Decimal("100.00") and TellerTransaction.objects.count() == receipts


def test_staff_of_another_branch_cannot_see_or_move_the_account(ana, savings, teller_a, teller_b):
    account = open_funded_account(ana, savings, "100.00", teller=teller_a)
    client = _client(teller_b)
    assert client.get("/api/v1/accounts/").json()["count"] == 0
    response = client.post(f"/api/v1/accounts/{account.number}/withdrawal/", {"amount": "10.00"}, format="json",
                           HTTP_IDEMPOTENCY_KEY="steal")
    assert response.status_code == 404
    account.ledger_account.refresh_from_db()
    assert account.ledger_account.balance == Decimal("100.00")


def test_a_customer_cannot_use_staff_actions(ana, savings, teller_a):
    account = open_funded_account(ana, savings, "100.00", teller=teller_a)
    receipts, accounts = TellerTransaction.objects.count(), ana.deposit_accounts.count()
    response = _client(ana.user).post(f"/api/v1/accounts/{account.number}/withdrawal/", {"amount": "10.00"},
                                      format="json", HTTP_IDEMPOTENCY_KEY="self-service")
    assert response.status_code == 403
    assert _client(ana.user).post("/api/v1/accounts/", {"customer": ana.pk, "product": "SAV"}).status_code == 403
    # and nothing moved or opened
    account.ledger_account.refresh_from_db()
    assert account.ledger_account.balance == Decimal("100.00")
    assert (TellerTransaction.objects.count(), ana.deposit_accounts.count()) == (receipts, accounts)


def test_holds_freeze_and_closure_over_the_api(ana, savings, teller_a, manager_a, compliance_officer):
    account = open_funded_account(ana, savings, "100.00", teller=teller_a)
    client = _client(teller_a)
    hold = client.post(f"/api/v1/accounts/{account.number}/holds/", {"amount": "30.00", "reason": "card"},
                       format="json", HTTP_IDEMPOTENCY_KEY="hold-1")
    assert hold.status_code == 201
    assert client.get(f"/api/v1/accounts/{account.number}/").json()["available_balance"] == "70.00"
    released = client.post(f"/api/v1/accounts/{account.number}/holds/{hold.json()['id']}/release/")
    assert released.json()["status"] == "released"
    assert _client(teller_a).post(f"/api/v1/accounts/{account.number}/freeze/", {"reason": "x"}).status_code == 403
    frozen = _client(compliance_officer).post(f"/api/v1/accounts/{account.number}/freeze/", {"reason": "court"})
    assert frozen.json()["status"] == "frozen"
    pending = _client(compliance_officer).post(f"/api/v1/accounts/{account.number}/unfreeze/", {"reason": "ok"})
    assert pending.status_code == 202 and pending.json()["state"] == "pending"
    closing = _client(manager_a).post(f"/api/v1/accounts/{account.number}/close/", {})
    assert closing.status_code == 202
