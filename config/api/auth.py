"""Token login for channels: POST {"username", "password"} -> {"token"}; send it as ``Authorization: Token``.

Failed logins count towards the lockout (django-axes): after 10 failures the username is locked for 30
minutes, and even the right password is refused with the ``login_locked_out`` problem.
"""

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from apps.domain_errors import DomainError


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

    @extend_schema(request=CredentialsSerializer,
                   responses=inline_serializer("Token", {"token": serializers.CharField()}))
    def post(self, request):
        credentials = CredentialsSerializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        user = authenticate(request._request, **credentials.validated_data)
        if getattr(request._request, "axes_locked_out", False):
            raise LoginLockedOut("This login is locked after too many failed attempts; try again later.")
        if user is None or not user.is_active:
            raise LoginRefused("Unable to log in with these credentials.")
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


def lockout_response(request, original_response=None, credentials=None):
    """What a locked-out login gets: a problem for the API, a page for the admin (both 403/429, no session)."""
    from django.conf import settings
    from django.http import JsonResponse
    from django.shortcuts import render

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    detail = f"This login is locked after too many failed attempts; try again in {minutes} minutes."
    if request.path.startswith("/api/"):
        from config.api.problems import PROBLEM_BASE, PROBLEM_CONTENT_TYPE

        body = {"type": PROBLEM_BASE + LoginLockedOut.code, "title": LoginLockedOut.title, "status": 403,
                "detail": detail, "code": LoginLockedOut.code}
        return JsonResponse(body, status=403, content_type=PROBLEM_CONTENT_TYPE)
    return render(request, "admin/lockout.html", {"detail": detail}, status=429)
