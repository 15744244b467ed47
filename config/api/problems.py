"""One mapping from errors to RFC 9457 problem details (application/problem+json), for every 4xx.

Body: ``type``, ``title``, ``status``, ``detail``, a stable ``code``, and for validation errors ``errors``
(field name to a list of messages) and ``error_codes`` (field name to a list of codes). A validation error's
``code`` is ``validation_error``, or the field code itself when every failure has one of ``FIELD_PROBLEM_CODES``
(e.g. ``invalid_amount``). Domain errors raised by services map here; views never rephrase them.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from apps.domain_errors import DomainError

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_BASE = "https://ogpgy-backoffice.readthedocs.io/problems/"

_DRF_CODES = {
    exceptions.ValidationError: "validation_error",
    exceptions.ParseError: "malformed_request",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
}


# Field error codes precise enough to be the problem's own code when they are the only failure.
FIELD_PROBLEM_CODES = frozenset({
    "invalid_amount", "amount_not_positive", "too_many_decimals", "invalid_iban", "invalid_bic",
    "null_characters_not_allowed", "surrogate_characters_not_allowed",
})


def problem(*, status_code: int, code: str, title: str, detail: str, **extra: Any) -> Response:
    body = {"type": PROBLEM_BASE + code, "title": title, "status": status_code, "detail": detail,
            "code": code, **extra}
    return Response(body, status=status_code, content_type=PROBLEM_CONTENT_TYPE)


def _flatten(errors: Any) -> Any:
    if isinstance(errors, dict):
        return {field: _flatten(value) for field, value in errors.items()}
    if isinstance(errors, list):
        if all(not isinstance(item, dict | list) for item in errors):
            return [str(item) for item in errors]
        return [_flatten(item) for item in errors]
    return [str(errors)]


def _leaf_codes(codes: Any) -> set[str]:
    if isinstance(codes, dict):
        return set().union(*(_leaf_codes(value) for value in codes.values())) if codes else set()
    if isinstance(codes, list):
        return set().union(*(_leaf_codes(value) for value in codes)) if codes else set()
    return {str(codes)}


def _validation_code(exc: exceptions.ValidationError) -> str:
    codes = _leaf_codes(exc.get_codes())
    if len(codes) == 1 and codes <= FIELD_PROBLEM_CODES:
        return codes.pop()
    return "validation_error"


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        extra = {key: value for key, value in exc.context.items() if isinstance(value, str | int | bool)}
        return problem(status_code=exc.status, code=exc.code, title=exc.title, detail=exc.message, **extra)

    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # not an API error: a 500, logged by Django
    code = next((c for klass, c in _DRF_CODES.items() if isinstance(exc, klass)), "error")
    if isinstance(exc, exceptions.ValidationError):
        errors, error_codes = _flatten(exc.detail), _flatten(exc.get_codes())
        if isinstance(errors, list):
            errors, error_codes = {"non_field_errors": errors}, {"non_field_errors": error_codes}
        result = problem(status_code=status.HTTP_400_BAD_REQUEST, code=_validation_code(exc), title="Invalid input",
                         detail="The request has invalid fields; see errors.", errors=errors,
                         error_codes=error_codes)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        detail_code = getattr(exc.detail, "code", None) if isinstance(exc, exceptions.APIException) else None
        if detail_code and (code == "error" or detail_code != exc.default_code):
            code = detail_code  # e.g. ParseError(code="too_deeply_nested") rather than malformed_request
        title = {404: "Not found", 401: "Not authenticated", 403: "Permission denied",
                 405: "Method not allowed", 413: "Request body too large",
                 429: "Too many requests"}.get(response.status_code, "Request refused")
        result = problem(status_code=response.status_code, code=code, title=title, detail=str(detail))
    for header in ("WWW-Authenticate", "Retry-After", "Allow"):
        if header in response:
            result[header] = response[header]
    return result
