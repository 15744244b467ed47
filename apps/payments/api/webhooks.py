"""POST /api/v1/gateways/velocitypay/webhooks/: the gateway's notifications, HMAC-signed."""

import json
import logging

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.domain_errors import DomainError
from apps.payments.gateway.signatures import SIGNATURE_HEADER, verify
from apps.payments.services.webhooks import process_gateway_event

logger = logging.getLogger("apps.payments.webhooks")


class InvalidSignature(DomainError):
    code = "invalid_signature"
    title = "The webhook's signature is not valid"
    status = 401


class VelocityPayWebhookView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = []

    @extend_schema(request=None, responses=None)
    def post(self, request):
        body = request.body
        if not verify(settings.VELOCITYPAY_WEBHOOK_SECRET, request.headers.get(SIGNATURE_HEADER, ""), body):
            logger.warning("Refused a VelocityPay webhook with a bad signature from %s",
                           request.META.get("REMOTE_ADDR"))
            raise InvalidSignature("The webhook's signature does not match.")
        try:
            payload = json.loads(body)
        except ValueError:
            raise DomainError("The webhook body is not JSON.", code="invalid_webhook") from None
        return Response({"outcome": process_gateway_event(gateway="velocitypay", payload=payload)})
