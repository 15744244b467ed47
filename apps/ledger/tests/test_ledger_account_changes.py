"""A house ledger account's overdraft (how far below zero it may go) changes only when a second person
approves: saving it in the admin proposes the change; the checker sees the diff; approval applies it."""

from decimal import Decimal

import pytest
from django.urls import reverse

from apps.ledger.models import LedgerAccount
from apps.ledger.services import CHANGE_LEDGER_ACCOUNT
from apps.ledger.tests.factories import ledger_account
from apps.organization.configuration import StaleConfigurationChange
from apps.organization.errors import CheckerIsMaker
from apps.organization.models import ApprovalRequest
from apps.organization.services import approve_request
from apps.organization.tests.admin_approvals import (
    admin_client,
    approve_in_admin,
    change_form_data,
    pending_request,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def house(bank, branch_a):
    return ledger_account(branch=branch_a, code="2900", name="Suspense")


def _state(account):
    account = LedgerAccount.objects.get(pk=account.pk)
    return account.allow_overdraft, account.overdraft_limit, account.name, account.history.count()


def _propose(maker, account, **changes):
    client = admin_client(maker)
    url = reverse("admin:ledger_ledgeraccount_change", args=[account.pk])
    return client.post(url, change_form_data(client.get(url), **changes), follow=True)


def test_saving_a_house_accounts_overdraft_proposes_it_and_changes_nothing(house, ops_admin):
    before = _state(house)
    response = _propose(ops_admin, house, allow_overdraft=True, overdraft_limit="1000.00")
    approval = pending_request(CHANGE_LEDGER_ACCOUNT)
    assert f"request #{approval.pk}" in response.content.decode()
    assert _state(house) == before


def test_the_checker_sees_the_overdraft_diff(house, ops_admin, ops_checker):
    _propose(ops_admin, house, allow_overdraft=True, overdraft_limit="1000.00")
    page = admin_client(ops_checker).get(reverse("admin:organization_approvalrequest_change",
                                                 args=[pending_request(CHANGE_LEDGER_ACCOUNT).pk]))
    html = page.content.decode()
    assert "<th>Allow overdraft</th><td>no</td><td>yes</td>" in html
    assert "<th>Overdraft limit</th><td>(empty)</td><td>1000.0000</td>" in html


def test_another_ops_admin_approves_and_the_overdraft_applies(house, ops_admin, ops_checker):
    _propose(ops_admin, house, allow_overdraft=True, overdraft_limit="1000.00")
    approve_in_admin(ops_checker, pending_request(CHANGE_LEDGER_ACCOUNT))
    account = LedgerAccount.objects.get(pk=house.pk)
    assert (account.allow_overdraft, account.overdraft_limit) == (True, Decimal("1000.00"))
    assert account.history.first().history_user == ops_checker
    assert ops_admin.username in account.history.first().history_change_reason
    assert ApprovalRequest.objects.get().checker == ops_checker


def test_the_maker_cannot_approve_their_own_overdraft(house, ops_admin):
    _propose(ops_admin, house, allow_overdraft=True, overdraft_limit="1000.00")
    before = _state(house)
    with pytest.raises(CheckerIsMaker):
        approve_request(request=pending_request(CHANGE_LEDGER_ACCOUNT), checker=ops_admin)
    assert "another person must decide it" in approve_in_admin(
        ops_admin, pending_request(CHANGE_LEDGER_ACCOUNT)).content.decode()
    assert _state(house) == before


def test_a_stale_ledger_account_change_is_refused(house, ops_admin, ops_checker):
    _propose(ops_admin, house, allow_overdraft=True, overdraft_limit="1000.00")
    first = pending_request(CHANGE_LEDGER_ACCOUNT)
    _propose(ops_admin, house, allow_overdraft=True, overdraft_limit="2000.00")
    second = ApprovalRequest.objects.exclude(pk=first.pk).get()
    approve_request(request=first, checker=ops_checker)
    before = _state(house)
    with pytest.raises(StaleConfigurationChange):
        approve_request(request=second, checker=ops_checker)
    assert _state(house) == before
