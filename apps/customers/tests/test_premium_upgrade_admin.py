"""The premium upgrade from the customer page: the same service and rules as POST /customers/{id}/upgrade/."""

import pytest
from django.test import Client
from django.urls import reverse

from apps.customers.models import Customer
from apps.customers.tests.factories import CustomerFactory
from apps.outbox.models import OutboxEvent

pytestmark = pytest.mark.django_db
UPGRADE = "admin:customers_customer_upgrade"


def admin_client(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_manager_upgrades_a_customer_choosing_the_relationship_manager(manager_a, teller_a, branch_a):
    # given
    customer = CustomerFactory(branch=branch_a, verified=True, legal_name="Rita Premium")
    client = admin_client(manager_a)
    change_page = client.get(reverse("admin:customers_customer_change", args=[customer.pk])).content.decode()
    assert "Upgrade to premium" in change_page
    form_page = client.get(reverse(UPGRADE, args=[customer.pk])).content.decode()
    assert "Rita Premium" in form_page and 'value="Upgrade to premium"' in form_page
    # when
    response = client.post(reverse(UPGRADE, args=[customer.pk]), {"relationship_manager": teller_a.pk},
                           follow=True)
    # then
    assert response.redirect_chain[-1][0] == reverse("admin:customers_customer_change", args=[customer.pk])
    assert "Rita Premium is premium now" in response.content.decode()
    customer.refresh_from_db()
    assert customer.is_premium and customer.relationship_manager == teller_a and customer.premium_since
    assert customer.history.latest().history_user == manager_a
    assert OutboxEvent.objects.filter(event_type="customer.upgraded").count() == 1


def test_a_teller_has_no_upgrade_link_and_is_refused_the_page(teller_a, manager_a, branch_a):
    customer = CustomerFactory(branch=branch_a, verified=True)
    client = admin_client(teller_a)
    change_page = client.get(reverse("admin:customers_customer_change", args=[customer.pk])).content.decode()
    assert "Upgrade to premium" not in change_page
    response = client.post(reverse(UPGRADE, args=[customer.pk]), {"relationship_manager": manager_a.pk})
    assert response.status_code == 403
    customer.refresh_from_db()
    assert not customer.is_premium and customer.relationship_manager is None
    assert not OutboxEvent.objects.filter(event_type="customer.upgraded").exists()


def test_another_branch_manager_cannot_reach_the_customer(manager_b, branch_a):
    customer = CustomerFactory(branch=branch_a, verified=True)
    response = admin_client(manager_b).post(reverse(UPGRADE, args=[customer.pk]),
                                            {"relationship_manager": manager_b.pk})
    assert response.status_code == 302 and response.url == reverse("admin:index")
    customer.refresh_from_db()
    assert not customer.is_premium


def test_the_service_refusal_is_shown_on_the_form_and_nothing_changes(manager_a, branch_a):
    # given a business customer: the premium tier is for individuals
    customer = CustomerFactory(branch=branch_a, verified=True, customer_type=Customer.Type.BUSINESS)
    history_rows = customer.history.count()
    # when
    response = admin_client(manager_a).post(reverse(UPGRADE, args=[customer.pk]),
                                            {"relationship_manager": manager_a.pk})
    # then
    assert response.status_code == 200
    assert "The premium tier is for individual customers." in response.content.decode()
    customer.refresh_from_db()
    assert not customer.is_premium and customer.history.count() == history_rows
    assert not OutboxEvent.objects.filter(event_type="customer.upgraded").exists()
