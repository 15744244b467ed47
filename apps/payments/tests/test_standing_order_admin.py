"""Standing orders in the admin: branch staff see and debit only their branch's accounts, and a refusal by the
service is a form error that writes nothing."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.accounts.account_numbers import account_number
from apps.accounts.models import Account
from apps.accounts.tests.factories import open_funded_account
from apps.customers.tests.factories import verified_customer
from apps.money import Money
from apps.organization.tests.factories import CustomerUserFactory
from apps.payments.models import StandingOrder
from apps.payments.services.standing_orders import create_standing_order

pytestmark = pytest.mark.django_db
ADD_URL = "/admin/payments/standingorder/add/"
LIST_URL = "/admin/payments/standingorder/"


@pytest.fixture
def carol_account(branch_b, savings, teller_b):
    carol = verified_customer(branch=branch_b, user=CustomerUserFactory(), legal_name="Carol Costa")
    return open_funded_account(carol, savings, "300.00", teller=teller_b)


def _login(user):
    client = Client()
    client.force_login(user)
    return client


def _order(payer, payee, reference="rent"):
    return create_standing_order(from_account=payer, to_account_number=payee.number, money=Money("10.00", "EUR"),
                                 frequency="monthly", day_of_month=1, start_date=datetime.date(2026, 1, 1),
                                 created_by=payer.customer.user, reference=reference)


def _form(payer, payee_number, **changes):
    return {"from_account": payer.pk, "to_account_number": payee_number, "amount": "25.00", "currency": "EUR",
            "reference": "rent", "frequency": "monthly", "day_of_month": "5", "weekday": "",
            "start_date": "2026-01-01", "end_date": "", "remaining_count": "",
            "executions-TOTAL_FORMS": "0", "executions-INITIAL_FORMS": "0", **changes}


def _nothing_written():
    return not StandingOrder.objects.exists() and not StandingOrder.history.exists()


def test_branch_staff_list_only_standing_orders_from_their_branchs_accounts(
        alice_account, bob_account, carol_account, teller_a):
    # given an order paid from branch A and one paid from branch B (to branch A)
    ours = _order(alice_account, bob_account)
    theirs = _order(carol_account, alice_account)
    client = _login(teller_a)
    # when
    response = client.get(LIST_URL)
    # then
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [ours]
    assert client.get(f"{LIST_URL}{ours.pk}/change/").status_code == 200
    assert client.get(f"{LIST_URL}{theirs.pk}/change/").status_code == 302  # "does not exist", back to the list


def test_the_add_form_refuses_a_payer_account_of_another_branch(alice_account, carol_account, manager_a):
    # when
    response = _login(manager_a).post(ADD_URL, _form(carol_account, alice_account.number))
    # then
    assert response.status_code == 200
    assert "from_account" in response.context["adminform"].form.errors
    assert _nothing_written()


def test_the_payer_is_chosen_among_the_branchs_accounts_and_no_account_is_listed(
        alice_account, bob_account, carol_account, manager_a):
    # given
    client = _login(manager_a)
    # when
    page = client.get(ADD_URL).content.decode()
    found = client.get("/admin/autocomplete/", {"app_label": "payments", "model_name": "standingorder",
                                                "field_name": "from_account", "term": ""})
    # then: the payer is an autocomplete of branch A's accounts, the payee a typed number
    assert {row["id"] for row in found.json()["results"]} == {str(alice_account.pk), str(bob_account.pk)}
    assert "admin-autocomplete" in page and 'name="to_account_number"' in page
    for account in (alice_account, bob_account, carol_account):
        assert account.number not in page


@pytest.mark.parametrize(("changes", "message"), [
    ({"to_account_number": "unknown"}, "No account"),
    ({"to_account_number": "PT50000201231234567890155"}, "not a valid account number"),
    ({"day_of_month": ""}, "needs a day of the month"),
    ({"currency": "USD", "amount": "25.00"}, "The amount must be positive and in EUR"),
    ({"amount": "0"}, "The amount must be positive and in EUR"),
])
def test_the_add_form_shows_the_services_refusal_and_writes_nothing(
        alice_account, bob_account, manager_a, changes, message):
    # given
    if changes.get("to_account_number") == "unknown":  # well-formed, with good check digits, but not ours
        changes["to_account_number"] = account_number(bank_code=alice_account.number[4:8], serial=999_999_999_999)
    # when
    response = _login(manager_a).post(ADD_URL, _form(alice_account, bob_account.number, **changes))
    # then
    assert response.status_code == 200
    assert message in " ".join(response.context["adminform"].form.non_field_errors())
    assert _nothing_written()


@pytest.mark.parametrize(("payer_status", "payee_status", "code"), [
    ("frozen", "active", "account_frozen"),
    ("dormant", "active", "account_dormant"),
    ("closed", "active", "account_closed"),
    ("active", "closed", "beneficiary_account_closed"),
    ("active", "pending", "beneficiary_account_pending"),
])
def test_the_add_form_shows_an_account_that_cannot_pay_or_be_paid_as_a_form_error_and_writes_nothing(
        alice_account, bob_account, manager_a, payer_status, payee_status, code):
    # given
    for account, status in ((alice_account, payer_status), (bob_account, payee_status)):
        Account.objects.filter(pk=account.pk).update(
            status=status, closed_on=account.opened_on if status == "closed" else None)
    # when
    response = _login(manager_a).post(ADD_URL, _form(alice_account, bob_account.number))
    # then: the transfer service's refusal, as a form error (not a 500), and nothing written
    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors().as_data()
    assert [error.code for error in errors] == [code]
    assert _nothing_written()


def test_the_add_form_refuses_the_payer_as_payee(alice_account, manager_a):
    response = _login(manager_a).post(ADD_URL, _form(alice_account, alice_account.number))
    assert response.status_code == 200 and response.context["adminform"].form.errors
    assert "The payer and the payee account are the same." in response.content.decode()
    assert _nothing_written()


def test_a_valid_order_is_set_up_by_the_service_with_the_staff_member_and_history(
        alice_account, bob_account, manager_a):
    # when
    response = _login(manager_a).post(ADD_URL, _form(alice_account, bob_account.number))
    # then
    assert response.status_code == 302
    order = StandingOrder.objects.get()
    assert (order.from_account, order.to_account, order.amount, order.day_of_month, order.next_due_date) == (
        alice_account, bob_account, Money("25.00", "EUR").amount, 5, datetime.date(2026, 1, 5))
    assert order.created_by == manager_a and order.status == StandingOrder.Status.ACTIVE
    history = order.history.get()
    assert (history.history_type, history.history_user) == ("+", manager_a)


def _changelist_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST_URL).status_code == 200
    return len(queries)


def test_the_standing_order_list_has_constant_queries(alice_account, bob_account, teller_a):
    # given
    _order(alice_account, bob_account)
    client = _login(teller_a)
    client.get(LIST_URL)  # warm permission caches
    before = _changelist_queries(client)
    # when more orders are listed
    for reference in ("gym", "phone", "school"):
        _order(bob_account, alice_account, reference)
    # then
    assert _changelist_queries(client) == before
