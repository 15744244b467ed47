"""Branch staff see only their branch's rows; head-office roles see all; lists cost a constant number of queries."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.ledger.models import LedgerAccount
from apps.ledger.tests.factories import ledger_account
from apps.organization.branch_scope import can_access, grant_branch_access, visible_to
from apps.organization.services import move_staff_to_branch

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts(branch_a, branch_b):
    return {
        "a": [ledger_account(branch=branch_a, name=f"A{i}") for i in range(3)],
        "b": [ledger_account(branch=branch_b, name=f"B{i}") for i in range(2)],
        "head_office": ledger_account(name="Head office account"),
    }


def test_branch_staff_see_only_their_branch(accounts, teller_a, teller_b):
    assert set(visible_to(teller_a, LedgerAccount.objects.all())) == set(accounts["a"])
    assert set(visible_to(teller_b, LedgerAccount.objects.all())) == set(accounts["b"])


def test_branch_staff_cannot_open_another_branch_row(accounts, teller_a):
    assert can_access(teller_a, accounts["a"][0])
    assert not can_access(teller_a, accounts["b"][0])
    assert not can_access(teller_a, accounts["head_office"])


def test_bank_wide_roles_see_every_branch(accounts, auditor, compliance_officer, ops_admin):
    everything = set(LedgerAccount.objects.all())
    for user in (auditor, compliance_officer, ops_admin):
        assert set(visible_to(user, LedgerAccount.objects.all())) == everything


def test_a_role_without_the_model_permission_sees_nothing(accounts, branch_a):
    from apps.organization.tests.factories import StaffFactory

    no_role = StaffFactory(home_branch=branch_a)
    assert not visible_to(no_role, LedgerAccount.objects.all()).exists()


def test_moving_a_row_to_another_branch_moves_its_visibility(accounts, branch_a, branch_b, teller_a, teller_b):
    account = accounts["a"][0]
    account.branch = branch_b
    account.save()
    grant_branch_access(objects=[account], branch=branch_b, previous_branch=branch_a)
    assert not can_access(teller_a, account)
    assert can_access(teller_b, account)


def test_moving_staff_to_another_branch_moves_what_they_see(accounts, branch_b, teller_a, ops_admin):
    move_staff_to_branch(user=teller_a, branch=branch_b, actor=ops_admin)
    teller_a = type(teller_a).objects.get(pk=teller_a.pk)  # fresh permission cache
    assert set(visible_to(teller_a, LedgerAccount.objects.all())) == set(accounts["b"])


@pytest.mark.parametrize("extra_rows", [0, 25])
def test_scoped_api_list_runs_a_constant_number_of_queries(accounts, teller_a, extra_rows, django_assert_num_queries):
    for i in range(extra_rows):
        ledger_account(branch=teller_a.home_branch, name=f"extra {i}")
    client = Client()
    client.force_login(teller_a)
    url = reverse("v1:ledger-account-list")
    # session, user, permissions (model and object), count, page: the same whatever the number of rows
    with django_assert_num_queries(7):
        response = client.get(url)
    assert response.status_code == 200
    assert response.json()["count"] == 3 + extra_rows


def _queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response


def test_scoped_admin_list_runs_a_constant_number_of_queries(accounts, teller_a):
    client = Client()
    client.force_login(teller_a)
    url = reverse("admin:ledger_ledgeraccount_changelist")
    # given a list of 3 rows
    few, response = _queries_for(client, url)
    assert accounts["a"][0].code in response.content.decode()
    assert not any(a.code in response.content.decode() for a in accounts["b"])
    # when the branch has 25 more
    for i in range(25):
        ledger_account(branch=teller_a.home_branch, name=f"extra {i}")
    many, response = _queries_for(client, url)
    # then the page costs the same number of queries
    assert response.content.decode().count("extra ") == 25
    assert many == few


def test_admin_refuses_another_branch_row(accounts, teller_a):
    client = Client()
    client.force_login(teller_a)
    foreign = accounts["b"][0]
    response = client.get(reverse("admin:ledger_ledgeraccount_change", args=[foreign.pk]))
    assert response.status_code in (302, 403, 404)
    assert foreign.code not in response.content.decode()


def test_api_refuses_another_branch_row(accounts, teller_a):
    client = Client()
    client.force_login(teller_a)
    response = client.get(reverse("v1:ledger-account-detail", args=[accounts["b"][0].pk]))
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def _messages(response):
    return [str(message) for message in response.context["messages"]]


def test_a_row_of_another_branch_is_not_among_your_branchs_records_in_words_that_leak_nothing(
        branch_a, teller_a, teller_b, auditor):
    from apps.customers.tests.factories import verified_customer

    # given: a customer of branch A
    customer = verified_customer(branch=branch_a, legal_name="Ana Branch-A")
    client = Client()
    client.force_login(teller_b)
    # when: a teller of branch B opens it, and a customer id that does not exist at all
    elsewhere = client.get(f"/admin/customers/customer/{customer.pk}/change/", follow=True)
    missing = client.get("/admin/customers/customer/999999/change/", follow=True)
    # then: the same words for both, saying where to turn, not "Perhaps it was deleted?"
    assert elsewhere.redirect_chain[-1][0] == reverse("admin:index")
    said = _messages(elsewhere)
    assert said == [f"Customer with ID “{customer.pk}” is not among your branch's records: it belongs to another "
                    "branch, or does not exist. Staff of its branch or of head office can open it."]
    assert _messages(missing) == [said[0].replace(str(customer.pk), "999999")]
    assert "Ana Branch-A" not in elsewhere.content.decode()
    # and its own branch's teller opens it; a bank-wide auditor hears Django's words for a missing row
    own = Client()
    own.force_login(teller_a)
    assert own.get(f"/admin/customers/customer/{customer.pk}/change/").status_code == 200
    head_office = Client()
    head_office.force_login(auditor)
    gone = head_office.get("/admin/customers/customer/999999/change/", follow=True)
    assert "Perhaps it was deleted?" in _messages(gone)[0]
