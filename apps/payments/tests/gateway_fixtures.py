"""The VelocityPay simulator on loopback, its webhooks sent to the live test server, signed (import the fixture
into a test module or a conftest: ``from apps.payments.tests.gateway_fixtures import simulator``)."""

import datetime

import pytest
from django.urls import reverse

from apps.payments.gateway.simulator import SimulatorServer

SECRET = "test-webhook-secret"


@pytest.fixture
def simulator(live_server, settings):
    with SimulatorServer() as server:
        server.gateway.webhook_url = live_server.url + reverse("v1:velocitypay-webhook")
        server.gateway.webhook_secret = SECRET
        settings.VELOCITYPAY_BASE_URL = server.url
        settings.VELOCITYPAY_WEBHOOK_SECRET = SECRET
        settings.VELOCITYPAY_READ_TIMEOUT = 0.5
        settings.OUTGOING_PAYMENT_POLL_AFTER = datetime.timedelta(seconds=0)
        yield server.gateway
