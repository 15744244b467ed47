"""The base of every domain error: a stable machine-readable code, a human message, an HTTP status.

Services raise these; the API maps them once to RFC 9457 problem details (config/api/problems.py), and the
admin shows their message. Each app declares its own subclasses in its errors.py.
"""

from typing import Any


class DomainError(Exception):
    code: str = "domain_error"
    title: str = "The operation was refused"
    status: int = 400

    def __init__(self, message: str, *, code: str | None = None, **context: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.context = context

    def __str__(self) -> str:
        return self.message


class NotFound(DomainError):
    code = "not_found"
    title = "Not found"
    status = 404


class PermissionRefused(DomainError):
    code = "permission_denied"
    title = "Permission denied"
    status = 403


class Conflict(DomainError):
    code = "conflict"
    title = "Conflict with the current state"
    status = 409
