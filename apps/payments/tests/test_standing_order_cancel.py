"""Cancelling a standing order: the service's rules, and the admin page that calls it."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from apps.domain_errors import PermissionRefused
from apps.money import Money
from apps.payments.errors import PaymentRefused, StandingOrderNotCancellable
from apps.payments.models import StandingOrder
from apps.payments.services.standing_orders import (
    cancel_standing_order,
    create_standing_order,
    execute_standing_order,
)

pytestmark = pytest.mark.django_db
CANCEL = "admin:payments_standingorder_cancel"


def _order(payer, payee):
    return create_standing_order(from_account=payer, to_account_number=payee.number, money=Money("10.00", "EUR"),
                                 frequency="monthly", day_of_month=1, start_date=datetime.date(2026, 1, 1),
                                 created_by=payer.customer.user, reference="rent")


def _login(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_cancelled_order_pays_nothing_more_and_keeps_the_reason(alice_account, bob_account, manager_a):
    # given
    order = _order(alice_account, bob_account)
    # when
    cancel_standing_order(order=order, reason="customer moved house", cancelled_by=manager_a)
    # then
    order.refresh_from_db()
    assert order.status == StandingOrder.Status.CANCELLED and order.next_due_date is None
    latest = order.history.latest()
    assert latest.history_user == manager_a and latest.history_change_reason == "customer moved house"
    assert execute_standing_order(order_id=order.pk, business_date=datetime.date(2026, 3, 1)) == "nothing due"
    assert not order.executions.exists()


@pytest.mark.parametrize("staff", ["teller_a", "manager_b"])
def test_cancel_is_refused_to_a_teller_and_to_another_branch(alice_account, bob_account, staff, request):
    order = _order(alice_account, bob_account)
    with pytest.raises(PermissionRefused):
        cancel_standing_order(order=order, reason="because", cancelled_by=request.getfixturevalue(staff))
    order.refresh_from_db()
    assert order.status == StandingOrder.Status.ACTIVE and order.history.count() == 1


def test_cancel_needs_a_reason_and_an_order_not_yet_over(alice_account, bob_account, manager_a):
    order = _order(alice_account, bob_account)
    with pytest.raises(PaymentRefused) as missing:
        cancel_standing_order(order=order, reason="  ", cancelled_by=manager_a)
    assert missing.value.code == "reason_required"
    cancel_standing_order(order=order, reason="first", cancelled_by=manager_a)
    with pytest.raises(StandingOrderNotCancellable):
        cancel_standing_order(order=order, reason="again", cancelled_by=manager_a)
    assert order.history.count() == 2


def test_a_manager_cancels_from_the_standing_order_page(alice_account, bob_account, manager_a):
    # given
    order = _order(alice_account, bob_account)
    client = _login(manager_a)
    page = client.get(reverse("admin:payments_standingorder_change", args=[order.pk])).content.decode()
    assert "Cancel standing order" in page
    form = client.get(reverse(CANCEL, args=[order.pk])).content.decode()
    assert "10.00 EUR" in form and 'value="Cancel standing order"' in form
    # when
    response = client.post(reverse(CANCEL, args=[order.pk]), {"reason": "customer asked at the counter"},
                           follow=True)
    # then
    assert f"Standing order {order.pk} is cancelled" in response.content.decode()
    order.refresh_from_db()
    assert order.status == StandingOrder.Status.CANCELLED
    assert order.history.latest().history_change_reason == "customer asked at the counter"


def test_the_admin_shows_the_refusal_and_changes_nothing(alice_account, bob_account, manager_a, teller_a):
    order = _order(alice_account, bob_account)
    # a teller has no link and is refused the page
    assert "Cancel standing order" not in _login(teller_a).get(
        reverse("admin:payments_standingorder_change", args=[order.pk])).content.decode()
    assert _login(teller_a).post(reverse(CANCEL, args=[order.pk]), {"reason": "x"}).status_code == 403
    # a manager without a reason gets the form back
    response = _login(manager_a).post(reverse(CANCEL, args=[order.pk]), {"reason": ""})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    order.refresh_from_db()
    assert order.status == StandingOrder.Status.ACTIVE and order.history.count() == 1
