"""Staff authentication: strong passwords, lockout after repeated failures, tokens for channels."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from apps.organization import roles
from apps.organization.services import InvalidStaffData, create_staff_user
from apps.organization.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def test_staff_passwords_need_at_least_twelve_characters(branch_a):
    with pytest.raises(InvalidStaffData) as refused:
        create_staff_user(username="shorty", password="Sh0rt-pass!", role=roles.TELLER, home_branch=branch_a)
    assert refused.value.code == "weak_password"


def test_branch_roles_need_a_home_branch(bank):
    with pytest.raises(InvalidStaffData) as refused:
        create_staff_user(username="lost", password=TEST_PASSWORD, role=roles.TELLER, home_branch=None)
    assert refused.value.code == "home_branch_required"


def test_token_login_returns_a_token_that_authenticates(teller_a):
    client = APIClient()
    response = client.post(reverse("v1:auth-token"), {"username": teller_a.username, "password": TEST_PASSWORD})
    assert response.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get(reverse("v1:ledger-account-list")).status_code == 200


def test_wrong_password_is_a_problem(teller_a):
    response = APIClient().post(reverse("v1:auth-token"), {"username": teller_a.username, "password": "nope"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"


def test_ten_failed_api_logins_lock_the_login_even_for_the_right_password(teller_a):
    client = APIClient()
    for _ in range(10):
        client.post(reverse("v1:auth-token"), {"username": teller_a.username, "password": "wrong password!"})
    response = client.post(reverse("v1:auth-token"), {"username": teller_a.username, "password": TEST_PASSWORD})
    assert response.status_code == 403
    assert response.json()["code"] == "login_locked_out"


def test_nine_failed_logins_do_not_lock(teller_a):
    client = APIClient()
    for _ in range(9):
        client.post(reverse("v1:auth-token"), {"username": teller_a.username, "password": "wrong password!"})
    response = client.post(reverse("v1:auth-token"), {"username": teller_a.username, "password": TEST_PASSWORD})
    assert response.status_code == 200


def test_ten_failed_admin_logins_lock_the_admin_login(teller_a):
    client = Client()
    url = reverse("admin:login")
    for _ in range(10):
        client.post(url, {"username": teller_a.username, "password": "wrong password!"})
    response = client.post(url, {"username": teller_a.username, "password": TEST_PASSWORD})
    assert response.status_code == 429  # axes' lockout response
    assert "_auth_user_id" not in client.session


def test_unauthenticated_api_request_is_a_problem():
    response = APIClient().get(reverse("v1:ledger-account-list"))
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_authenticated"
