"""Problem details for what fails under /api/ before or outside DRF: Django's error handlers (an unknown path,
a body over DATA_UPLOAD_MAX_MEMORY_SIZE, a SuspiciousOperation, a crash) and the request middleware.

Outside /api/ the handlers are Django's own pages (the admin keeps its HTML).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

from config.api.problems import PROBLEM_BASE, PROBLEM_CONTENT_TYPE

API_PREFIX = "/api/"

_BY_STATUS = {
    400: ("malformed_request", "Bad request", "The request could not be read."),
    403: ("permission_denied", "Permission denied", "You do not have permission to perform this action."),
    404: ("not_found", "Not found", "No such resource."),
    405: ("method_not_allowed", "Method not allowed", "This method is not allowed here."),
    413: ("request_too_large", "Request body too large", "The request body is larger than this API accepts."),
    500: ("server_error", "Server error", "The server failed to answer this request; it has been logged."),
}


def problem_response(status: int, *, code: str | None = None, detail: str | None = None) -> JsonResponse:
    default_code, title, default_detail = _BY_STATUS.get(status, ("error", "Request refused", "Request refused."))
    code = code or default_code
    body = {"type": PROBLEM_BASE + code, "title": title, "status": status, "detail": detail or default_detail,
            "code": code}
    return JsonResponse(body, status=status, content_type=PROBLEM_CONTENT_TYPE)


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def bad_request(request: HttpRequest, exception: Exception, template_name: str = "400.html") -> HttpResponse:
    if not _is_api(request):
        return defaults.bad_request(request, exception, template_name)
    if isinstance(exception, RequestDataTooBig):
        return problem_response(413)
    return problem_response(400)


def permission_denied(request: HttpRequest, exception: Exception, template_name: str = "403.html") -> HttpResponse:
    if not _is_api(request):
        return defaults.permission_denied(request, exception, template_name)
    return problem_response(403)


def page_not_found(request: HttpRequest, exception: Exception, template_name: str = "404.html") -> HttpResponse:
    if not _is_api(request):
        return defaults.page_not_found(request, exception, template_name)
    return problem_response(404)


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    if not _is_api(request):
        return defaults.server_error(request, template_name)
    return problem_response(500)


class ApiProblemMiddleware:
    """Outermost middleware. Under /api/: a NUL character in the path or the query string is a 400 problem
    (``null_characters_not_allowed``) before any lookup reaches the database; and an error page that is not a
    problem (Django's debug pages, which bypass the handlers above when DEBUG is on) becomes one."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _is_api(request):
            return self.get_response(request)
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path_info or "\x00" in query or "%00" in query:
            return problem_response(400, code="null_characters_not_allowed",
                                    detail="The path and query may not contain NUL characters.")
        response = self.get_response(request)
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith(
                (PROBLEM_CONTENT_TYPE, "application/json")):
            return problem_response(response.status_code)
        return response
