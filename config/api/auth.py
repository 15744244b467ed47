"""Token login for channels: POST {"username", "password"} -> {"token", "expiry", "token_key"}; send the token
as ``Authorization: Token <token>``. The token is shown only in that answer: the database keeps its digest.

Each login is a new token (a device); ``auth/logout/`` revokes the token of the request, ``auth/logout-all/``
every token of the user, ``auth/tokens/`` lists the user's live tokens (without the secret) and
``DELETE auth/tokens/<token_key>/`` revokes one. Expired and revoked tokens get a 401 problem.

Failed logins count towards the lockout (django-axes): after 10 failures the username is locked for 30
minutes, and even the right password is refused with the ``login_locked_out`` problem.
"""

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import JsonResponse
from django.shortcuts import render
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from knox.auth import TokenAuthentication
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from apps.domain_errors import DomainError
from apps.organization.api_tokens import (
    issue_api_token,
    live_api_tokens,
    revoke_all_api_tokens,
    revoke_api_token,
    revoke_current_api_token,
)
from config.api.problems import PROBLEM_BASE, PROBLEM_CONTENT_TYPE


class LoginRefused(DomainError):
    code = "invalid_credentials"
    title = "Login refused"
    status = 400


class LoginLockedOut(DomainError):
    code = "login_locked_out"
    title = "Too many failed logins"
    status = 403


class CredentialsSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})


class ObtainTokenView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(request=CredentialsSerializer, responses=inline_serializer("Token", {
        "token": serializers.CharField(help_text="The secret: shown only here, send it as `Authorization: Token`."),
        "expiry": serializers.DateTimeField(),
        "token_key": serializers.CharField(help_text="Names this token (device) in auth/tokens/."),
    }))
    def post(self, request):
        credentials = CredentialsSerializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        user = authenticate(request._request, **credentials.validated_data)
        if getattr(request._request, "axes_locked_out", False):
            raise LoginLockedOut("This login is locked after too many failed attempts; try again later.")
        if user is None or not user.is_active:
            raise LoginRefused("Unable to log in with these credentials.")
        token, secret = issue_api_token(user=user)
        return Response({"token": secret, "expiry": token.expiry, "token_key": token.token_key})


class ApiTokenSerializer(serializers.Serializer):
    token_key = serializers.CharField()
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField()
    current = serializers.SerializerMethodField()

    def get_current(self, token) -> bool:
        return getattr(self.context["request"].auth, "digest", None) == token.digest


class LogoutView(APIView):
    """Revoke the token this request is authenticated with."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: OpenApiResponse(description="The token no longer works.")})
    def post(self, request):
        revoke_current_api_token(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllView(APIView):
    """Revoke every token of the user (every device)."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: OpenApiResponse(description="No token of the user works.")})
    def post(self, request):
        revoke_all_api_tokens(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ApiTokenListView(APIView):
    """The user's live tokens, one per device that logged in; never the secret."""

    @extend_schema(responses=ApiTokenSerializer(many=True))
    def get(self, request):
        tokens = live_api_tokens(user=request.user)
        return Response(ApiTokenSerializer(tokens, many=True, context={"request": request}).data)


class ApiTokenDetailView(APIView):
    @extend_schema(request=None, responses={204: OpenApiResponse(description="That device is logged out.")})
    def delete(self, request, token_key):
        revoke_api_token(user=request.user, token_key=token_key)
        return Response(status=status.HTTP_204_NO_CONTENT)


def lockout_response(request, original_response=None, credentials=None):
    """What a locked-out login gets: a problem for the API, a page for the admin (both 403/429, no session)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    detail = f"This login is locked after too many failed attempts; try again in {minutes} minutes."
    if request.path.startswith("/api/"):
        body = {"type": PROBLEM_BASE + LoginLockedOut.code, "title": LoginLockedOut.title, "status": 403,
                "detail": detail, "code": LoginLockedOut.code}
        return JsonResponse(body, status=403, content_type=PROBLEM_CONTENT_TYPE)
    return render(request, "admin/lockout.html", {"detail": detail}, status=429)
