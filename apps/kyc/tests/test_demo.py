import io

import pytest
from rest_framework.test import APIClient

from apps.customers.models import Customer
from apps.kyc.demo import CHANNEL_LOGIN, seed_customers
from apps.kyc.models import ScreeningHit
from apps.organization.demo import DEMO_PASSWORD, seed_organization

pytestmark = pytest.mark.django_db


def test_the_demo_has_every_type_and_kyc_state_in_both_branches_and_is_idempotent(
        django_capture_on_commit_callbacks, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        seed_organization(out)
        seed_customers(out)
    with django_capture_on_commit_callbacks(execute=True):
        seed_customers(out)  # again: nothing new
    customers = Customer.objects.filter(email__endswith="@demo.ogpgy.example")
    assert customers.count() == 10
    assert set(customers.values_list("kyc_status", flat=True)) == {"pending", "in_progress", "verified", "rejected",
                                                                   "expired"}
    assert set(customers.values_list("customer_type", flat=True)) == {"individual", "business"}
    assert set(customers.values_list("branch__code", flat=True)) == {"LIS01", "POR01"}
    assert customers.filter(is_premium=True, kyc_status="verified").exists()
    assert ScreeningHit.objects.get().customer.legal_name == "Dmitry Volkov"
    client = APIClient()
    token = client.post("/api/v1/auth/token/", {"username": CHANNEL_LOGIN, "password": DEMO_PASSWORD}).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/me/").json()["legal_name"] == "Ana Sousa"
