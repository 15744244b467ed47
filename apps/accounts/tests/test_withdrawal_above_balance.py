"""A withdrawal above the available balance is refused when the teller submits it, even above their cash limit:
nothing goes to the approval queue that would fail there. The approval checks the balance again."""

from decimal import Decimal

import pytest
from django.test import Client
from rest_framework.test import APIClient

from apps.accounts.errors import InsufficientAvailableBalance
from apps.accounts.models import TellerTransaction
from apps.accounts.services.teller import cash_withdrawal, submit_cash_operation
from apps.accounts.tests.factories import open_funded_account
from apps.ledger.models import JournalEntry, LedgerAccount
from apps.money import Money
from apps.organization.models import ApprovalRequest
from apps.organization.services import approve_request

pytestmark = pytest.mark.django_db
LIMITS = {"Teller": {"EUR": "1000.00"}, "Branch manager": {"EUR": "50000.00"}}


@pytest.fixture
def account(customer, savings, teller_a, settings):
    settings.TELLER_CASH_LIMITS = LIMITS
    return open_funded_account(customer, savings, "1879.50", teller=teller_a)


def _unchanged(account):
    return (LedgerAccount.objects.get(pk=account.ledger_account_id).balance, JournalEntry.objects.count(),
            TellerTransaction.objects.count(), ApprovalRequest.objects.count())


def test_the_admin_cash_form_refuses_a_withdrawal_above_the_balance_without_an_approval_request(account, teller_a):
    # given
    client = Client()
    client.force_login(teller_a)
    page = client.get(f"/admin/accounts/account/{account.pk}/cash/").content.decode()
    key = page.split('name="idempotency_key" value="')[1].split('"')[0]
    before = _unchanged(account)
    # when: 12,000 from 1,879.50 available, above the teller's limit of 1,000
    response = client.post(f"/admin/accounts/account/{account.pk}/cash/",
                           {"kind": "withdrawal", "amount": "12000.00", "idempotency_key": key})
    # then
    assert response.status_code == 200
    assert "1879.50 EUR available" in response.content.decode()
    assert _unchanged(account) == before
    assert not ApprovalRequest.objects.filter(operation="accounts.cash_operation").exists()


def test_the_api_refuses_a_withdrawal_above_the_balance_with_the_direct_paths_code(account, teller_a):
    before = _unchanged(account)
    client = APIClient()
    client.force_authenticate(teller_a)
    response = client.post(f"/api/v1/accounts/{account.number}/withdrawal/", {"amount": "12000.00"},
                           format="json", HTTP_IDEMPOTENCY_KEY="too-much")
    assert response.status_code == 422
    assert response.json()["code"] == InsufficientAvailableBalance.code
    assert _unchanged(account) == before


def test_the_approval_checks_the_balance_again(account, teller_a, manager_a):
    # given: a 1,500 withdrawal within the balance waits for a manager; meanwhile 1,000 leaves the account
    request = submit_cash_operation(kind="withdrawal", account=account, amount=Money("1500.00", "EUR"),
                                    teller=teller_a, idempotency_key="big-one")
    assert isinstance(request, ApprovalRequest)
    cash_withdrawal(account=account, amount=Money("1000.00", "EUR"), teller=teller_a, idempotency_key="small")
    before = _unchanged(account)
    # when / then
    with pytest.raises(InsufficientAvailableBalance):
        approve_request(request=request, checker=manager_a)
    assert _unchanged(account) == before
    assert LedgerAccount.objects.get(pk=account.ledger_account_id).balance == Decimal("879.50")
