"""Every change to a domain row is in its history, with who made it (admin and API alike)."""

import pytest
from django.test import Client
from django.urls import reverse

from apps.ledger.models import LedgerAccount
from apps.ledger.tests.factories import ledger_account

pytestmark = pytest.mark.django_db


def test_admin_change_records_the_checker_and_the_maker(ops_admin, ops_checker, branch_a):
    from apps.organization.tests.admin_approvals import approve_in_admin, pending_request

    account = ledger_account(branch=branch_a, name="Before")
    client = Client()
    client.force_login(ops_admin)
    url = reverse("admin:ledger_ledgeraccount_change", args=[account.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update({"name": "After", "allow_overdraft": "", "branch": branch_a.pk})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    # a ledger account's change waits for a second person (maker-checker); approving it applies it
    approve_in_admin(ops_checker, pending_request("ledger.change_ledger_account"))
    latest = LedgerAccount.objects.get(pk=account.pk).history.latest()
    assert latest.name == "After"
    assert latest.history_user == ops_checker
    assert ops_admin.username in latest.history_change_reason


def test_service_changes_record_the_actor(ops_admin, branch_a):
    from apps.ledger.services import set_ledger_account_status

    account = ledger_account(branch=branch_a)
    set_ledger_account_status(account=account, status=LedgerAccount.Status.FROZEN, changed_by=ops_admin)
    latest = account.history.latest()
    assert latest.status == "frozen"
    assert latest.history_user == ops_admin
