"""An admin page is a door to services, not a table editor: a field a service owns is read-only on every change
page, and the few editable fields are saved through their service. The table of editable fields below is the
audit of docs/admin.md; a new editable field has to be added to both, on purpose."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.tests.factories import install_chart, open_funded_account, savings_product
from apps.customers.models import Customer
from apps.customers.services import EDITABLE_FIELDS
from apps.customers.tests.factories import verified_customer
from apps.organization import roles
from apps.organization.models import User
from apps.organization.tests.factories import TEST_PASSWORD, StaffFactory
from apps.outbox.models import OutboxEvent

pytestmark = pytest.mark.django_db

# The change page's editable fields of every ModelAdmin of this project, for a superuser (who holds every
# permission), and the service each save goes through. Any model not named here edits nothing.
EDITABLE_ON_CHANGE = {
    "organization.Bank": {"name", "address", "bic"},  # no service owns these (printed on statements)
    "organization.Branch": {"name", "address", "is_head_office", "is_active"},  # no service owns these
    # move_staff_to_branch for home_branch; the rest no service owns
    "organization.User": {"username", "first_name", "last_name", "email", "is_active", "is_staff", "home_branch",
                          "employee_number"},
    # customers.services.update_customer (EDITABLE_FIELDS; the last four of the national id are typed once)
    "customers.Customer": set(EDITABLE_FIELDS) - {"national_id_last4"},
    # payments.services.reviews.release_held_payment / reject_held_payment, while the review is pending
    "payments.PaymentReview": {"decision", "decision_reason"},
}
# Configuration (overdrafts, rates, fees, limits, fraud thresholds): maker-checker for configuration owns these
# pages and their own tests.
CONFIGURATION = {"ledger.LedgerAccount", "accounts.DepositProduct", "payments.FeeSchedule", "payments.TransferLimit",
                 "payments.FraudRule",
                 # the CTR thresholds: saving the change page proposes the change (apps/compliance/services/ctr.py)
                 "compliance.CtrThreshold"}


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form_data(page) -> dict:
    """The change page's form as the browser would post it back unchanged."""
    form = page.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        data[name] = "" if value is None else value
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        for bound in (formset.management_form, *formset.forms):
            for name in bound.fields:
                value = bound[name].value()
                data[bound.add_prefix(name)] = "" if value is None else value
    return data


@pytest.fixture
def superuser(branch_a):
    return StaffFactory(is_superuser=True, home_branch=branch_a)


@pytest.fixture
def lisbon_account(branch_a, branch_b, teller_a):
    install_chart()
    return open_funded_account(verified_customer(branch=branch_a), savings_product(rate="0"), "100.00",
                               teller=teller_a)


def test_no_change_page_edits_a_field_a_service_owns(lisbon_account, superuser):
    request = RequestFactory().get("/admin/")
    request.user = superuser
    editable = {}
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label
        if not type(model_admin).__module__.startswith("apps.") or label in CONFIGURATION:
            continue
        obj = model._default_manager.order_by("pk").first()
        if obj is None or not model_admin.has_change_permission(request, obj):
            fields = set()
        else:
            form = model_admin.get_form(request, obj, change=True)
            fields = {name for name, field in form.base_fields.items() if not field.disabled}
        if fields:
            editable[label] = fields
    pending_review = {"payments.PaymentReview"}  # editable only while one is pending; none is here
    assert editable == {label: fields for label, fields in EDITABLE_ON_CHANGE.items() if label not in pending_review}


# Records that only their services write: no change page, for anyone (a full-row save of a read-only page would
# put back what a service changed meanwhile).
RECORDS = {"organization.ApprovalRequest", "payments.Transfer", "payments.OutgoingPayment",
           "payments.IncomingPayment", "payments.Beneficiary", "payments.FraudDecision", "payments.GatewayEvent",
           "kyc.ScreeningHit", "kyc.KycCheck", "kyc.KycReview", "ledger.JournalEntry", "ledger.Posting",
           "accounts.TellerTransaction", "accounts.InterestAccrual", "eod.EodRun", "eod.LedgerSeal"}


def test_records_written_by_services_have_no_change_page_even_for_a_superuser(superuser):
    request = RequestFactory().get("/admin/")
    request.user = superuser
    changeable = sorted(model._meta.label for model, model_admin in admin.site._registry.items()
                        if model._meta.label in RECORDS and model_admin.has_change_permission(request))
    assert changeable == []


def _updates_of(table: str, queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("UPDATE") and table in q["sql"]]


def test_saving_an_account_page_writes_nothing(lisbon_account, teller_a):
    # given a teller's account page: every field is a service's (lifecycle, teller, end of day)
    client = _login(teller_a)
    url = reverse("admin:accounts_account_change", args=[lisbon_account.pk])
    data = _form_data(client.get(url))
    history = lisbon_account.history.count()
    # when the teller saves it
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data)
    # then nothing was written: no UPDATE of the account (a full-row save would put back what a service
    # changed meanwhile, a freeze for one), no history row
    assert response.status_code == 302
    assert _updates_of("accounts_account", queries.captured_queries) == []
    assert lisbon_account.history.count() == history


def test_saving_an_outbox_event_page_writes_nothing(lisbon_account, ops_admin):
    event = OutboxEvent.objects.order_by("pk").first()
    client = _login(ops_admin)
    url = reverse("admin:outbox_outboxevent_change", args=[event.pk])
    data = _form_data(client.get(url))
    with CaptureQueriesContext(connection) as queries:
        assert client.post(url, data).status_code == 302
    assert _updates_of("outbox_outboxevent", queries.captured_queries) == []


def test_the_user_page_cannot_make_a_superuser_or_give_groups_or_permissions(teller_a, ops_admin, branch_b):
    client = _login(ops_admin)
    url = reverse("admin:organization_user_change", args=[teller_a.pk])
    data = _form_data(client.get(url))
    groups = set(teller_a.groups.values_list("pk", flat=True))
    data.update({"is_superuser": "on", "groups": [branch_b.staff_group_id], "user_permissions": [1, 2]})
    assert client.post(url, data).status_code == 302
    teller = User.objects.get(pk=teller_a.pk)
    assert not teller.is_superuser and not teller.user_permissions.exists()
    assert set(teller.groups.values_list("pk", flat=True)) == groups


def test_operations_cannot_change_a_superusers_password_or_page(superuser, ops_admin):
    client = _login(ops_admin)
    password = User.objects.get(pk=superuser.pk).password
    response = client.post(reverse("admin:auth_user_password_change", args=[superuser.pk]),
                           {"password1": "a-new-long-password-1", "password2": "a-new-long-password-1"})
    assert response.status_code == 403
    page = client.get(reverse("admin:organization_user_change", args=[superuser.pk]))
    assert page.status_code == 200 and not page.context["has_change_permission"]
    assert User.objects.get(pk=superuser.pk).password == password


def test_moving_staff_to_another_branch_moves_their_branch_access(teller_a, ops_admin, branch_a, branch_b):
    # given a Porto customer the Lisbon teller cannot see
    porto_customer = verified_customer(branch=branch_b)
    client = _login(ops_admin)
    url = reverse("admin:organization_user_change", args=[teller_a.pk])
    data = _form_data(client.get(url))
    # when operations moves the teller to Porto on their page
    data["home_branch"] = branch_b.pk
    assert client.post(url, data).status_code == 302
    # then move_staff_to_branch moved them: Porto's staff group, not Lisbon's, and Porto's customers
    teller = User.objects.get(pk=teller_a.pk)
    assert teller.home_branch == branch_b
    assert teller.groups.filter(pk=branch_b.staff_group_id).exists()
    assert not teller.groups.filter(pk=branch_a.staff_group_id).exists()
    assert _login(teller).get(reverse("admin:customers_customer_change", args=[porto_customer.pk])).status_code == 200


def test_staff_are_created_in_a_role_and_a_branch_through_the_service(ops_admin, branch_b):
    response = _login(ops_admin).post(reverse("admin:organization_user_add"), {
        "username": "teller.por02", "first_name": "Rita", "last_name": "Reis", "email": "rita@example.test",
        "role": roles.TELLER, "home_branch": branch_b.pk, "password1": TEST_PASSWORD, "password2": TEST_PASSWORD,
    })
    assert response.status_code == 302
    created = User.objects.get(username="teller.por02")
    assert created.is_staff and created.home_branch == branch_b
    assert set(created.groups.values_list("name", flat=True)) == {roles.TELLER, branch_b.staff_group.name}


def test_a_branch_role_without_a_branch_is_refused_and_nothing_is_created(ops_admin):
    response = _login(ops_admin).post(reverse("admin:organization_user_add"), {
        "username": "teller.nowhere", "role": roles.TELLER, "home_branch": "", "password1": TEST_PASSWORD,
        "password2": TEST_PASSWORD,
    }, follow=True)
    assert "works in a branch" in response.content.decode()
    assert not User.objects.filter(username="teller.nowhere").exists()


def test_a_role_is_given_by_the_action(teller_a, ops_admin):
    _login(ops_admin).post(reverse("admin:organization_user_changelist"), {
        "action": "give_role", "role": roles.BRANCH_MANAGER, ACTION_CHECKBOX_NAME: [teller_a.pk]})
    assert teller_a.groups.filter(name=roles.BRANCH_MANAGER).exists()
    assert Group.objects.get(name=roles.BRANCH_MANAGER).user_set.filter(pk=teller_a.pk).exists()


def test_the_customer_page_saves_through_update_customer(teller_a, branch_a):
    customer = verified_customer(branch=branch_a)
    client = _login(teller_a)
    url = reverse("admin:customers_customer_change", args=[customer.pk])
    data = _form_data(client.get(url))
    data.update({"legal_name": "Renamed Customer", "kyc_status": "verified", "risk_rating": "low"})
    assert client.post(url, data).status_code == 302
    saved = Customer.objects.get(pk=customer.pk)
    assert saved.legal_name == "Renamed Customer"
    assert saved.history.latest().history_user == teller_a
