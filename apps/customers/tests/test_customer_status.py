"""A customer's status is owned by services: KYC verification activates a prospect, block_customer and
unblock_customer block and unblock (with a reason, in the history). Neither the admin change form nor the
staff API sets it."""

import datetime

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from apps.customers.errors import CustomerStatusRefused, InvalidCustomerData, NotAllowedToBlockCustomer
from apps.customers.models import Customer
from apps.customers.services import block_customer, unblock_customer
from apps.customers.tests.factories import CustomerFactory, verified_customer
from apps.outbox.models import OutboxEvent

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:customers_customer_changelist"
INLINES = {f"{prefix}-{key}": value for prefix in ("kyc_documents", "kyc_checks", "screening_hits")
           for key, value in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"))}


def admin_client(user):
    client = Client()
    client.force_login(user)
    return client


def api_client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _state(customer):
    """What a refusal must leave alone: the status columns and the history."""
    row = Customer.objects.get(pk=customer.pk)
    return row.status, row.status_before_block, customer.history.count(), \
        OutboxEvent.objects.filter(event_type__in=["customer.blocked", "customer.unblocked"]).count()


def _change_form(customer, **overrides):
    return {"legal_name": customer.legal_name, "email": customer.email, "phone": customer.phone,
            "date_of_birth": customer.date_of_birth.isoformat() if customer.date_of_birth else "",
            "business_registration_number": customer.business_registration_number, "tax_id": customer.tax_id,
            "address": customer.address, "country": customer.country, **INLINES, **overrides}


def _run_action(user, action, customers, reason=None):
    """The changelist action, then (given a reason) its confirmation page's POST."""
    post = {"action": action, ACTION_CHECKBOX_NAME: [c.pk for c in customers]}
    if reason is not None:
        post.update(confirm="yes", reason=reason)
    return admin_client(user).post(reverse(CHANGELIST), post, follow=True)


def _blocked(customer, actor):
    return block_customer(customer=customer, reason="Sanctions hit under review", actor=actor)


# --- the change form and the API do not set the status ------------------------------------------------------


def test_a_teller_posting_status_active_on_the_change_form_changes_nothing(teller_a, branch_a):
    # given a prospect whose KYC is not verified
    customer = CustomerFactory(branch=branch_a)
    before = _state(customer)
    # when a teller saves its change form with status=active
    response = admin_client(teller_a).post(reverse("admin:customers_customer_change", args=[customer.pk]),
                                           _change_form(customer, status="active"))
    # then the form saves, and neither the status nor the history moved
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _state(customer) == before
    assert Customer.objects.get(pk=customer.pk).status == Customer.Status.PROSPECT


def test_a_teller_cannot_unblock_through_the_change_form(teller_a, compliance_officer, branch_a):
    customer = _blocked(verified_customer(branch=branch_a), compliance_officer)
    before = _state(customer)
    admin_client(teller_a).post(reverse("admin:customers_customer_change", args=[customer.pk]),
                                _change_form(customer, status="active", status_before_block=""))
    assert _state(customer) == before


def test_the_change_form_shows_the_status_read_only(teller_a, branch_a):
    customer = CustomerFactory(branch=branch_a)
    page = admin_client(teller_a).get(reverse("admin:customers_customer_change", args=[customer.pk]))
    assert page.status_code == 200
    assert 'name="status"' not in page.content.decode()
    assert "field-status" in page.content.decode()


def test_the_change_form_still_changes_the_details(teller_a, branch_a):
    customer = CustomerFactory(branch=branch_a)
    response = admin_client(teller_a).post(reverse("admin:customers_customer_change", args=[customer.pk]),
                                           _change_form(customer, phone="+351939999999", status="active"))
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.phone, customer.status) == ("+351939999999", Customer.Status.PROSPECT)


def test_a_patch_with_status_is_a_400_problem_and_writes_nothing(teller_a, branch_a):
    customer = CustomerFactory(branch=branch_a)
    before = _state(customer)
    response = api_client(teller_a).patch(reverse("v1:customer-detail", args=[customer.pk]),
                                          {"status": "active", "phone": "+351939999999"}, format="json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["code"] == "customer_field_not_editable"
    assert "block_customer" in response.json()["detail"]
    assert _state(customer) == before
    assert Customer.objects.get(pk=customer.pk).phone == customer.phone


@pytest.mark.parametrize("field, value", [("kyc_status", "verified"), ("status_before_block", "active"),
                                          ("is_premium", True)])
def test_a_patch_with_any_field_it_does_not_change_is_refused_the_same_way(teller_a, branch_a, field, value):
    customer = CustomerFactory(branch=branch_a)
    before = _state(customer)
    response = api_client(teller_a).patch(reverse("v1:customer-detail", args=[customer.pk]), {field: value},
                                          format="json")
    assert (response.status_code, response.json()["code"]) == (400, "customer_field_not_editable")
    assert _state(customer) == before


def test_update_customer_refuses_the_status(teller_a, branch_a):
    from apps.customers.services import update_customer

    customer = CustomerFactory(branch=branch_a)
    with pytest.raises(InvalidCustomerData, match="status"):
        update_customer(customer=customer, actor=teller_a, status="active")
    assert Customer.objects.get(pk=customer.pk).status == Customer.Status.PROSPECT


# --- block and unblock through the admin -------------------------------------------------------------------


def test_the_block_action_asks_for_the_reason_on_a_page_first(manager_a, branch_a):
    customer = verified_customer(branch=branch_a)
    before = _state(customer)
    response = _run_action(manager_a, "block_customers", [customer])
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="reason"' in page and 'name="confirm"' in page and customer.legal_name in page
    assert _state(customer) == before


def test_a_branch_manager_blocks_their_branch_customer_with_reason_and_history(manager_a, branch_a):
    customer = verified_customer(branch=branch_a)
    response = _run_action(manager_a, "block_customers", [customer], reason="Fraud reported by the customer")
    assert "blocked." in response.content.decode()
    customer.refresh_from_db()
    assert (customer.status, customer.status_before_block) == (Customer.Status.BLOCKED, Customer.Status.ACTIVE)
    last = customer.history.first()
    assert (last.history_user, last.history_change_reason, last.status) == (
        manager_a, "Fraud reported by the customer", Customer.Status.BLOCKED)
    event = OutboxEvent.objects.get(event_type="customer.blocked")
    assert event.payload["reason"] == "Fraud reported by the customer"


def test_compliance_blocks_a_customer_of_any_branch(compliance_officer, branch_b):
    customer = CustomerFactory(branch=branch_b)
    _run_action(compliance_officer, "block_customers", [customer], reason="Sanctions list match")
    customer.refresh_from_db()
    assert (customer.status, customer.status_before_block) == (Customer.Status.BLOCKED, Customer.Status.PROSPECT)
    assert customer.history.first().history_user == compliance_officer


def test_the_block_without_a_reason_shows_the_page_again_and_changes_nothing(manager_a, branch_a):
    customer = verified_customer(branch=branch_a)
    before = _state(customer)
    response = _run_action(manager_a, "block_customers", [customer], reason="   ")
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert _state(customer) == before


@pytest.mark.parametrize("user", ["teller_a", "loan_officer", "auditor", "ops_admin", "manager_b"])
def test_other_roles_and_branches_cannot_block_in_the_admin(request, user, branch_a):
    customer = verified_customer(branch=branch_a)
    before = _state(customer)
    _run_action(request.getfixturevalue(user), "block_customers", [customer], reason="Because")
    assert _state(customer) == before


def test_blocking_a_blocked_customer_is_an_admin_error_message(compliance_officer, manager_a, branch_a):
    customer = _blocked(verified_customer(branch=branch_a), compliance_officer)
    before = _state(customer)
    response = _run_action(manager_a, "block_customers", [customer], reason="Again")
    assert "only an active customer or a prospect can be blocked" in response.content.decode()
    assert 'class="error"' in response.content.decode()
    assert _state(customer) == before


def test_compliance_unblocks_back_to_the_status_before_the_block(compliance_officer, manager_a, branch_a):
    customer = _blocked(verified_customer(branch=branch_a), manager_a)
    response = _run_action(compliance_officer, "unblock_customers", [customer], reason="Fraud claim withdrawn")
    assert "unblocked." in response.content.decode()
    customer.refresh_from_db()
    assert (customer.status, customer.status_before_block) == (Customer.Status.ACTIVE, "")
    last = customer.history.first()
    assert (last.history_user, last.history_change_reason) == (compliance_officer, "Fraud claim withdrawn")
    assert OutboxEvent.objects.filter(event_type="customer.unblocked").count() == 1


@pytest.mark.parametrize("user", ["manager_a", "teller_a", "auditor"])
def test_only_compliance_unblocks_in_the_admin(request, user, compliance_officer, branch_a):
    customer = _blocked(verified_customer(branch=branch_a), compliance_officer)
    before = _state(customer)
    _run_action(request.getfixturevalue(user), "unblock_customers", [customer], reason="Please")
    assert _state(customer) == before


def test_unblocking_a_customer_that_is_not_blocked_is_an_admin_error_message(compliance_officer, branch_a):
    customer = verified_customer(branch=branch_a)
    before = _state(customer)
    response = _run_action(compliance_officer, "unblock_customers", [customer], reason="Nothing to do")
    assert "not blocked" in response.content.decode()
    assert _state(customer) == before


# --- the services' own rules, whoever calls them ---------------------------------------------------------


@pytest.mark.parametrize("user", ["teller_a", "loan_officer", "auditor", "ops_admin", "manager_b"])
def test_block_customer_refuses_an_unauthorised_actor(request, user, branch_a):
    customer = verified_customer(branch=branch_a)
    before = _state(customer)
    with pytest.raises(NotAllowedToBlockCustomer):
        block_customer(customer=customer, reason="Because", actor=request.getfixturevalue(user))
    assert _state(customer) == before


@pytest.mark.parametrize("user", ["manager_a", "teller_a", "auditor", "ops_admin"])
def test_unblock_customer_refuses_anyone_but_compliance(request, user, compliance_officer, branch_a):
    customer = _blocked(verified_customer(branch=branch_a), compliance_officer)
    before = _state(customer)
    with pytest.raises(NotAllowedToBlockCustomer):
        unblock_customer(customer=customer, reason="Please", actor=request.getfixturevalue(user))
    assert _state(customer) == before


@pytest.mark.parametrize("service", [block_customer, unblock_customer])
def test_a_reason_is_required(service, compliance_officer, manager_a, branch_a):
    customer = verified_customer(branch=branch_a)
    if service is unblock_customer:
        customer = _blocked(customer, manager_a)
    before = _state(customer)
    with pytest.raises(InvalidCustomerData) as refused:
        service(customer=customer, reason=" ", actor=compliance_officer)
    assert refused.value.code == "reason_required"
    assert _state(customer) == before


def test_a_closed_customer_cannot_be_blocked(compliance_officer, branch_a):
    customer = CustomerFactory(branch=branch_a)
    Customer.objects.filter(pk=customer.pk).update(status=Customer.Status.CLOSED)
    before = _state(customer)
    with pytest.raises(CustomerStatusRefused) as refused:
        block_customer(customer=customer, reason="Too late", actor=compliance_officer)
    assert refused.value.code == "customer_closed"
    assert _state(customer) == before


def test_a_prospect_returns_a_prospect_unless_its_kyc_was_verified_while_blocked(compliance_officer, branch_a):
    # given two prospects blocked, one of whose KYC is verified while it is blocked
    stays, verified = CustomerFactory(branch=branch_a), CustomerFactory(branch=branch_a)
    for customer in (stays, verified):
        _blocked(customer, compliance_officer)
    Customer.objects.filter(pk=verified.pk).update(kyc_status=Customer.KycStatus.VERIFIED,
                                                   kyc_review_due=datetime.date(2099, 1, 1))
    # when compliance unblocks both
    for customer in (stays, verified):
        unblock_customer(customer=customer, reason="Cleared", actor=compliance_officer)
    # then the first is a prospect again, and the verified one is active (verification activates prospects)
    assert Customer.objects.get(pk=stays.pk).status == Customer.Status.PROSPECT
    assert Customer.objects.get(pk=verified.pk).status == Customer.Status.ACTIVE
