"""API tokens: shown once, stored as a digest, expiring, revoked at logout, per device or all at once; the
staff's admin page shows who holds one and until when, never the secret."""

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from knox.crypto import hash_token
from knox.models import AuthToken
from rest_framework.test import APIClient

from apps.organization.tests.factories import TEST_PASSWORD, CustomerUserFactory

pytestmark = pytest.mark.django_db


def _login(user):
    response = APIClient().post(reverse("v1:auth-token"), {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 200, response.content
    return response.json()


def _client(secret):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def _works(secret):
    return _client(secret).get(reverse("v1:auth-token-list")).status_code == 200


@pytest.fixture
def customer_user(db):
    return CustomerUserFactory()


def test_login_returns_the_secret_once_and_the_database_keeps_only_its_digest(customer_user):
    # when
    body = _login(customer_user)
    # then
    secret = body["token"]
    token = AuthToken.objects.get(user=customer_user)
    assert token.digest == hash_token(secret) and token.digest != secret
    assert body["token_key"] == token.token_key == secret[:15]
    stored = [str(value) for value in AuthToken.objects.filter(pk=token.pk).values().get().values()]
    assert not any(secret in value for value in stored)
    # the list of devices never shows it again
    assert secret not in _client(secret).get(reverse("v1:auth-token-list")).content.decode()


def test_a_token_expires_after_the_configured_ttl(customer_user):
    before = timezone.now()
    body = _login(customer_user)
    expiry = AuthToken.objects.get(user=customer_user).expiry
    ttl = datetime.timedelta(hours=settings.API_TOKEN_TTL_HOURS)
    assert before + ttl <= expiry <= timezone.now() + ttl
    assert body["expiry"] is not None


def test_an_expired_token_is_a_401_problem(customer_user):
    # given
    secret = _login(customer_user)["token"]
    AuthToken.objects.filter(user=customer_user).update(expiry=timezone.now() - datetime.timedelta(seconds=1))
    # when
    response = _client(secret).get(reverse("v1:auth-token-list"))
    # then
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "authentication_failed"
    assert response["WWW-Authenticate"] == "Token"


def test_an_unknown_token_is_a_401_problem():
    response = _client("f" * 64).get(reverse("v1:auth-token-list"))
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_each_login_is_a_device_and_logout_revokes_only_the_current_one(customer_user):
    # given two devices
    phone, laptop = _login(customer_user)["token"], _login(customer_user)["token"]
    # when the phone logs out
    response = _client(phone).post(reverse("v1:auth-logout"))
    # then
    assert response.status_code == 204
    assert not _works(phone)
    assert _works(laptop)
    assert AuthToken.objects.filter(user=customer_user).count() == 1


def test_logout_all_revokes_every_device_of_the_user_only(customer_user):
    # given
    phone, laptop = _login(customer_user)["token"], _login(customer_user)["token"]
    someone_else = _login(CustomerUserFactory())["token"]
    # when
    assert _client(phone).post(reverse("v1:auth-logout-all")).status_code == 204
    # then
    assert not _works(phone) and not _works(laptop)
    assert _works(someone_else)


def test_the_user_lists_their_devices_without_secrets_and_revokes_one_by_its_key(customer_user):
    # given
    phone, laptop = _login(customer_user), _login(customer_user)
    client = _client(phone["token"])
    # when
    devices = client.get(reverse("v1:auth-token-list")).json()
    # then
    assert {d["token_key"] for d in devices} == {phone["token_key"], laptop["token_key"]}
    assert all(set(d) == {"token_key", "created", "expiry", "current"} for d in devices)
    assert {d["token_key"]: d["current"] for d in devices} == {phone["token_key"]: True,
                                                              laptop["token_key"]: False}
    # when the phone revokes the laptop
    response = client.delete(reverse("v1:auth-token-detail", args=[laptop["token_key"]]))
    assert response.status_code == 204
    assert not _works(laptop["token"])
    assert _works(phone["token"])


def test_a_user_cannot_revoke_another_users_token(customer_user):
    # given
    mine = _login(customer_user)
    theirs = _login(CustomerUserFactory())
    # when
    response = _client(mine["token"]).delete(reverse("v1:auth-token-detail", args=[theirs["token_key"]]))
    # then
    assert response.status_code == 404
    assert response.json()["code"] == "api_token_not_found"
    assert _works(theirs["token"])


def test_the_plain_tokens_of_rest_framework_authtoken_are_gone():
    assert "rest_framework.authtoken" not in settings.INSTALLED_APPS
    assert "authtoken_token" not in connection.introspection.table_names()


def test_the_staff_token_page_shows_who_holds_a_token_but_never_the_secret(customer_user, ops_admin):
    # given
    login = _login(customer_user)
    client = Client()
    client.force_login(ops_admin)
    # when
    page = client.get(reverse("admin:knox_authtoken_changelist"))
    # then
    assert page.status_code == 200
    html = page.content.decode()
    assert login["token_key"] in html and customer_user.username in html
    assert login["token"] not in html  # (the digest, the row's key, may appear: it cannot authenticate)
    assert client.get(reverse("admin:knox_authtoken_add")).status_code == 403


def test_an_auditor_does_not_see_the_token_page(customer_user, auditor):
    _login(customer_user)
    client = Client()
    client.force_login(auditor)
    assert client.get(reverse("admin:knox_authtoken_changelist")).status_code == 403


def test_operations_revoke_a_token_from_the_admin_and_the_device_is_logged_out(customer_user, ops_admin):
    # given
    login = _login(customer_user)
    client = Client()
    client.force_login(ops_admin)
    # when
    response = client.post(reverse("admin:knox_authtoken_changelist"), {
        "action": "revoke", "_selected_action": [AuthToken.objects.get().pk]})
    # then
    assert response.status_code == 302
    assert not _works(login["token"])


def test_an_auditor_cannot_revoke_a_token(customer_user, auditor):
    # given
    login = _login(customer_user)
    client = Client()
    client.force_login(auditor)
    # when
    client.post(reverse("admin:knox_authtoken_changelist"), {
        "action": "revoke", "_selected_action": [AuthToken.objects.get().pk]})
    # then
    assert _works(login["token"])
    assert AuthToken.objects.count() == 1
