"""Who may initiate a payment: head-office roles move no customer money, whatever accounts they may see.

The scenario of the issue: ``compliance.hq`` (bank-wide, and then holding ``accounts.change_account``) sent a
transfer from a Porto customer's account and a payment to a German IBAN, both answered 201.
"""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from rest_framework.test import APIClient

from apps.accounts.tests.factories import open_funded_account
from apps.customers.tests.factories import verified_customer
from apps.idempotency.models import IdempotencyKey
from apps.ledger.models import JournalEntry, LedgerAccount
from apps.money import Money
from apps.organization import roles
from apps.organization.errors import NotAllowedToDecide
from apps.organization.models import ApprovalRequest, User
from apps.organization.services import approve_request
from apps.organization.tests.factories import CustomerUserFactory
from apps.payments.errors import NotAllowedToInitiatePayment
from apps.payments.models import OutgoingPayment, Transfer
from apps.payments.services.external import initiate_outgoing_payment
from apps.payments.services.transfers import transfer_between_accounts

pytestmark = pytest.mark.django_db
GERMAN_IBAN = "DE89370400440532013000"


@pytest.fixture
def porto_account(branch_b, savings, teller_b):
    porto = verified_customer(branch=branch_b, user=CustomerUserFactory(), legal_name="Paulo Porto")
    return open_funded_account(porto, savings, "800.00", teller=teller_b)


@pytest.fixture
def compliance_with_stale_grant(compliance_officer):
    """A compliance group as deployed before the roles review: it still holds accounts.change_account."""
    group = Group.objects.get(name=roles.COMPLIANCE_OFFICER)
    group.permissions.add(Permission.objects.get(content_type__app_label="accounts", codename="change_account"))
    return User.objects.get(pk=compliance_officer.pk)  # a fresh login: no cached permissions


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _balances(*accounts):
    return [LedgerAccount.objects.get(pk=account.ledger_account_id).balance for account in accounts]


def _nothing_written(before, *accounts):
    assert _balances(*accounts) == before
    assert not Transfer.objects.exists()
    assert not OutgoingPayment.objects.exists()
    assert not ApprovalRequest.objects.exists()
    assert not JournalEntry.objects.filter(source__in=["transfer", "external_payment"]).exists()


def _refused(response):
    assert response.status_code == 403, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["code"] == "payment_initiation_not_allowed"


@pytest.mark.parametrize("user", ["compliance_officer", "compliance_with_stale_grant"])
def test_compliance_cannot_transfer_from_a_customers_account(request, user, porto_account, bob_account):
    officer = request.getfixturevalue(user)
    before = _balances(porto_account, bob_account)
    response = _client(officer).post(reverse("v1:transfer-list"), {
        "from_account": porto_account.number, "to_account": bob_account.number, "amount": "50.00",
        "currency": "EUR"}, format="json", HTTP_IDEMPOTENCY_KEY="compliance-transfer")
    _refused(response)
    _nothing_written(before, porto_account, bob_account)


@pytest.mark.parametrize("user", ["compliance_officer", "compliance_with_stale_grant"])
def test_compliance_cannot_pay_a_german_iban_from_a_customers_account(request, user, porto_account):
    officer = request.getfixturevalue(user)
    before = _balances(porto_account)
    response = _client(officer).post(reverse("v1:outgoing-payment-list"), {
        "from_account": porto_account.number, "amount": "50.00", "currency": "EUR", "rail": "same_day",
        "creditor_name": "Dieter Deutsch", "creditor_account": GERMAN_IBAN, "creditor_country": "DE"},
        format="json", HTTP_IDEMPOTENCY_KEY="compliance-outgoing")
    _refused(response)
    _nothing_written(before, porto_account)


def test_compliance_cannot_ask_for_a_large_payment_either(compliance_with_stale_grant, porto_account, bob_account):
    # above the staff threshold the door would record an approval request instead: refused before that too
    before = _balances(porto_account, bob_account)
    response = _client(compliance_with_stale_grant).post(reverse("v1:transfer-list"), {
        "from_account": porto_account.number, "to_account": bob_account.number, "amount": "20000.00",
        "currency": "EUR"}, format="json", HTTP_IDEMPOTENCY_KEY="compliance-big")
    _refused(response)
    _nothing_written(before, porto_account, bob_account)


def test_the_services_refuse_a_staff_role_without_the_permission_as_a_task_would_call_them(
        ops_admin, auditor, porto_account, bob_account):
    before = _balances(porto_account, bob_account)
    for staff in (ops_admin, auditor):
        with pytest.raises(NotAllowedToInitiatePayment):
            transfer_between_accounts(from_account_number=porto_account.number,
                                      to_account_number=bob_account.number, money=Money("5.00", "EUR"),
                                      initiated_by=staff, idempotency_key=f"task-{staff.pk}", channel="branch")
        with pytest.raises(NotAllowedToInitiatePayment):
            initiate_outgoing_payment(from_account_number=porto_account.number, money=Money("5.00", "EUR"),
                                      rail="same_day", creditor_name="Dieter", creditor_account=GERMAN_IBAN,
                                      creditor_country="DE", initiated_by=staff, idempotency_key=f"t-{staff.pk}")
    _nothing_written(before, porto_account, bob_account)


def test_a_teller_of_the_branch_still_transfers(teller_b, porto_account, bob_account):
    response = _client(teller_b).post(reverse("v1:transfer-list"), {
        "from_account": porto_account.number, "to_account": bob_account.number, "amount": "50.00",
        "currency": "EUR"}, format="json", HTTP_IDEMPOTENCY_KEY="teller-transfer")
    assert response.status_code == 201, response.json()
    assert _balances(porto_account)[0] == Decimal("750.00")


def test_operations_decides_other_requests_but_not_a_large_payment(teller_b, ops_admin, manager_b, porto_account,
                                                                    bob_account):
    response = _client(teller_b).post(reverse("v1:transfer-list"), {
        "from_account": porto_account.number, "to_account": bob_account.number, "amount": "20000.00",
        "currency": "EUR"}, format="json", HTTP_IDEMPOTENCY_KEY="big")
    assert response.status_code == 202
    request = ApprovalRequest.objects.get()
    with pytest.raises(NotAllowedToDecide):
        approve_request(request=request, checker=ops_admin)
    request.refresh_from_db()
    assert request.state == ApprovalRequest.State.PENDING
    assert not Transfer.objects.exists()
    assert IdempotencyKey.objects.filter(user=teller_b).count() == 1
