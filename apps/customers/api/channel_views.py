"""The public channel endpoints of a customer's login, no authentication, throttled per client (scope
``channel_code``, ``THROTTLE_CHANNEL_CODE``):

- ``POST enrolment/redeem/`` {code, password}: the first password, with the enrolment code staff handed over;
- ``POST password-reset/`` {username}: ask for a reset code by email; the answer is the same whether or not
  the login exists;
- ``POST password-reset/redeem/`` {code, password}: a new password with a reset code; every device logs out.

Then the customer logs in with ``POST auth/token/``. The rules are apps.customers.services.channels'.
"""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from apps.customers import services
from apps.customers.models import ChannelCode
from apps.customers.services.channels import CODE_MAX_INPUT


class CodeRedemptionSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=CODE_MAX_INPUT, help_text="The one-time code; hyphens may be left out.")
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"},
                                     help_text="The new password; the bank's password rules apply.")


class PasswordResetRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)


RedeemedSerializer = inline_serializer("ChannelPasswordSet", {
    "username": serializers.CharField(help_text="Log in with this and the new password (POST auth/token/)."),
})


class PublicChannelView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "channel_code"


class RedeemCodeView(PublicChannelView):
    purpose: str  # the ChannelCode.Purpose a subclass redeems

    @extend_schema(request=CodeRedemptionSerializer, responses=RedeemedSerializer)
    def post(self, request):
        redemption = CodeRedemptionSerializer(data=request.data)
        redemption.is_valid(raise_exception=True)
        user = services.redeem_channel_code(purpose=self.purpose, **redemption.validated_data)
        return Response({"username": user.username})


class RedeemEnrolmentCodeView(RedeemCodeView):
    """Set the first password with the enrolment code (unknown, expired or used code: a 4xx problem)."""

    purpose = ChannelCode.Purpose.ENROLMENT


class RedeemPasswordResetCodeView(RedeemCodeView):
    """Set a new password with a reset code; the login's API tokens are revoked."""

    purpose = ChannelCode.Purpose.PASSWORD_RESET


class PasswordResetRequestView(PublicChannelView):
    """Ask for a password reset code, sent to the email address the bank has for the customer."""

    @extend_schema(request=PasswordResetRequestSerializer, responses={202: inline_serializer(
        "PasswordResetRequested", {"detail": serializers.CharField()})})
    def post(self, request):
        reset = PasswordResetRequestSerializer(data=request.data)
        reset.is_valid(raise_exception=True)
        services.request_password_reset(username=reset.validated_data["username"])
        return Response({"detail": "If this login exists, a reset code was sent to the customer's email address."},
                        status=status.HTTP_202_ACCEPTED)
