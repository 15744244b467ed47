"""One test per role of what it must not do, through the door a person would use (API or admin), with nothing
changed afterwards. Least privilege: apps/organization/roles.py and docs/roles.md."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from apps.accounts.models import Account, TellerTransaction
from apps.accounts.tests.factories import install_chart, open_funded_account, savings_product
from apps.customers.models import Customer
from apps.customers.tests.factories import verified_customer
from apps.ledger.models import JournalEntry, LedgerAccount
from apps.organization.models import ApprovalRequest, User
from apps.organization.tests.factories import CustomerUserFactory, StaffFactory
from apps.payments.models import FeeSchedule, Transfer

pytestmark = pytest.mark.django_db


@pytest.fixture
def savings(branch_a, branch_b):
    install_chart()
    return savings_product(rate="0")


@pytest.fixture
def ana(branch_a):
    return verified_customer(branch=branch_a, user=CustomerUserFactory(), legal_name="Ana Almeida")


@pytest.fixture
def ana_account(ana, savings, teller_a):
    return open_funded_account(ana, savings, "500.00", teller=teller_a)


@pytest.fixture
def bea_account(branch_a, savings, teller_a):
    return open_funded_account(verified_customer(branch=branch_a), savings, "10.00", teller=teller_a)


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _admin(user):
    client = Client()
    client.force_login(user)
    return client


def _balance(account):
    return LedgerAccount.objects.get(pk=account.ledger_account_id).balance


def _forbidden(response):
    assert response.status_code == 403, response.content
    assert response["Content-Type"].startswith("application/problem+json")


def _deposit(user, account, key):
    return _api(user).post(f"/api/v1/accounts/{account.number}/deposit/", {"amount": "25.00"}, format="json",
                           HTTP_IDEMPOTENCY_KEY=key)


def _transfer(user, payer, payee, amount="25.00", key="t"):
    return _api(user).post(reverse("v1:transfer-list"), {"from_account": payer.number, "to_account": payee.number,
                                                          "amount": amount, "currency": "EUR"},
                           format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_teller_must_not_freeze_an_account_or_decide_a_large_payment(teller_a, manager_a, ana_account,
                                                                       bea_account):
    # given a colleague's transfer above the threshold, waiting for a checker
    colleague = StaffFactory(role="Teller", home_branch=teller_a.home_branch)
    assert _transfer(colleague, ana_account, bea_account, "10000.01", key="big").status_code == 202
    history = ana_account.history.count()
    _forbidden(_api(teller_a).post(f"/api/v1/accounts/{ana_account.number}/freeze/", {"reason": "x"}))
    request = ApprovalRequest.objects.get()
    _forbidden(_api(teller_a).post(reverse("v1:approval-request-approve", args=[request.pk])))
    ana_account.refresh_from_db()
    assert ana_account.status == Account.Status.ACTIVE and ana_account.history.count() == history
    request.refresh_from_db()
    assert request.state == ApprovalRequest.State.PENDING and not Transfer.objects.exists()


def test_a_branch_manager_must_not_set_fees_or_touch_another_branchs_cash(manager_a, manager_b, ana_account,
                                                                          savings):
    response = _admin(manager_a).post(reverse("admin:payments_feeschedule_add"), {
        "product": savings.pk, "channel": "api", "currency": "EUR", "fixed_fee": "9.99", "percentage": "0"})
    assert response.status_code == 403
    assert not FeeSchedule.objects.exists()
    before = _balance(ana_account)
    assert _deposit(manager_b, ana_account, "other-branch").status_code in (403, 404)
    assert _balance(ana_account) == before


def test_a_teller_must_not_change_a_customers_status_and_a_branch_manager_must_not_unblock(teller_a, manager_a,
                                                                                          ana):
    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

    from apps.customers.services import block_customer

    history = ana.history.count()
    response = _api(teller_a).patch(reverse("v1:customer-detail", args=[ana.pk]), {"status": "blocked"},
                                    format="json")
    assert (response.status_code, response.json()["code"]) == (400, "customer_field_not_editable")
    _admin(teller_a).post(reverse("admin:customers_customer_changelist"), {
        "action": "block_customers", ACTION_CHECKBOX_NAME: [ana.pk], "confirm": "yes", "reason": "x"})
    assert Customer.objects.get(pk=ana.pk).status == Customer.Status.ACTIVE and ana.history.count() == history
    # given Ana blocked by her branch manager, the manager may not unblock her (compliance does)
    block_customer(customer=ana, reason="Fraud reported", actor=manager_a)
    history = ana.history.count()
    _admin(manager_a).post(reverse("admin:customers_customer_changelist"), {
        "action": "unblock_customers", ACTION_CHECKBOX_NAME: [ana.pk], "confirm": "yes", "reason": "x"})
    assert Customer.objects.get(pk=ana.pk).status == Customer.Status.BLOCKED and ana.history.count() == history


def test_a_loan_officer_must_not_open_an_account_or_handle_cash(loan_officer, ana, ana_account):
    accounts, receipts = Account.objects.count(), TellerTransaction.objects.count()
    _forbidden(_api(loan_officer).post("/api/v1/accounts/", {"customer": ana.pk, "product": "SAV"}, format="json"))
    _forbidden(_deposit(loan_officer, ana_account, "loan-cash"))
    assert (Account.objects.count(), TellerTransaction.objects.count()) == (accounts, receipts)
    assert _balance(ana_account).to_integral() == 500


def test_a_compliance_officer_must_not_move_money_or_decide_a_large_payment(compliance_officer, teller_a,
                                                                            ana_account, bea_account):
    assert _transfer(teller_a, ana_account, bea_account, "10000.01", key="big").status_code == 202
    request = ApprovalRequest.objects.get()
    before = (_balance(ana_account), _balance(bea_account))
    _forbidden(_transfer(compliance_officer, ana_account, bea_account, key="compliance"))
    _forbidden(_deposit(compliance_officer, ana_account, "compliance-cash"))
    _forbidden(_api(compliance_officer).post(reverse("v1:approval-request-approve", args=[request.pk])))
    assert (_balance(ana_account), _balance(bea_account)) == before
    request.refresh_from_db()
    assert request.state == ApprovalRequest.State.PENDING
    assert not Transfer.objects.exists() and not JournalEntry.objects.filter(source="transfer").exists()


def test_an_auditor_must_not_change_a_customer_or_see_api_tokens(auditor, ana):
    response = _api(auditor).patch(reverse("v1:customer-detail", args=[ana.pk]), {"phone": "+351999999999"},
                                   format="json")
    _forbidden(response)
    assert Customer.objects.get(pk=ana.pk).phone == ana.phone
    assert _admin(auditor).get(reverse("admin:knox_authtoken_changelist")).status_code == 403


def test_operations_must_not_move_money_or_make_itself_a_superuser(ops_admin, ana_account, bea_account):
    before = (_balance(ana_account), _balance(bea_account))
    _forbidden(_transfer(ops_admin, ana_account, bea_account, key="ops"))
    _forbidden(_deposit(ops_admin, ana_account, "ops-cash"))
    assert (_balance(ana_account), _balance(bea_account)) == before
    assert not Transfer.objects.exists() and not TellerTransaction.objects.filter(teller=ops_admin).exists()
    change = reverse("admin:organization_user_change", args=[ops_admin.pk])
    page = _admin(ops_admin).get(change)
    form = page.context["adminform"].form
    assert "is_superuser" not in form.fields and "groups" not in form.fields
    data = {name: form[name].value() or "" for name in form.fields if not name.startswith("password")}
    data.update({"is_superuser": "on", "groups": [1, 2, 3], "date_joined_0": "2026-01-01",
                 "date_joined_1": "00:00:00", "last_login_0": "", "last_login_1": ""})
    data["first_name"] = "Olga"
    assert _admin(ops_admin).post(change, data).status_code == 302  # saved, but only what ops may change
    ops_admin = User.objects.get(pk=ops_admin.pk)
    assert ops_admin.first_name == "Olga" and not ops_admin.is_superuser
    assert set(ops_admin.groups.values_list("name", flat=True)) == {"Operations admin", "Branch staff: LIS01"}
