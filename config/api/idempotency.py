"""HTTP idempotency for money-moving endpoints (IETF Idempotency-Key draft, Stripe's semantics).

    class TransferList(APIView):
        @idempotent(scope="payments.create_transfer")
        def post(self, request):
            ... service(..., idempotency_key=request.idempotency_key) ...

- no ``Idempotency-Key`` header: 400 problem ``idempotency_key_missing``;
- a key longer than MAX_KEY_LENGTH (128) characters or with anything but printable ASCII: 400 problem
  ``idempotency_key_invalid`` (services store it with prefixes such as ``"<user id>:"`` in 200-character columns);
- the same key and the same request again: the first response (status and body) with
  ``Idempotent-Replayed: true``, and nothing runs;
- the same key with another request body: 422 problem ``idempotency_key_reused``;
- the same key while the first request is still running: 409 problem ``idempotency_request_in_progress``.

Keys are per user and scope. Responses below 500 are remembered, except a request that could not be read or was
invalid (a parse or validation error, 400/413/415: nothing ran, as with Stripe); those and a 5xx or a crash
forget the key so the client can correct or retry. A request that crashed after its service committed is safe to
run again because the service receives the same key and the ledger returns the first entry. An in-flight key older
than IDEMPOTENCY_LOCK_TIMEOUT is taken over by the retry (its worker died).
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import Http404, HttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import APIException, ParseError, UnsupportedMediaType, ValidationError
from rest_framework.response import Response

from apps.domain_errors import Conflict, DomainError
from apps.idempotency.models import IdempotencyKey
from apps.organization.models import User
from config.api.parsers import RequestTooLarge, ensure_json_depth

# Refusals of the request itself, before any service ran: not remembered.
_UNREAD_REQUEST = (ParseError, ValidationError, UnsupportedMediaType, RequestTooLarge)

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
# The ledger stores "<prefix>:<user id>:<key>" in a varchar(200); 128 leaves room for any prefix and user id.
MAX_KEY_LENGTH = 128
KEY_PATTERN = r"^[!-~]([ -~]*[!-~])?$"  # printable ASCII, as an RFC 8941 sf-string; no surrounding spaces
_KEY = re.compile(r"[ -~]+")


IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    HEADER, {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": KEY_PATTERN},
    OpenApiParameter.HEADER, required=True,
    description=f"A unique value per operation (a UUID): 1 to {MAX_KEY_LENGTH} printable ASCII characters "
                "(400 `idempotency_key_invalid` otherwise). The same key and body again returns the first response "
                "with `Idempotent-Replayed: true` and moves nothing; the same key with another body is a 422 "
                "problem (`idempotency_key_reused`); while the first request runs, a 409 problem "
                "(`idempotency_request_in_progress`). Keys are kept at least "
                "IDEMPOTENCY_KEY_TTL_HOURS, 48 hours by default.")


class IdempotencyKeyMissing(DomainError):
    code = "idempotency_key_missing"
    title = "Idempotency-Key header required"
    status = 400


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"
    title = "Idempotency key already used for another request"
    status = 422


class IdempotentRequestInProgress(Conflict):
    code = "idempotency_request_in_progress"
    title = "A request with this idempotency key is still being processed"
    status = 409


def request_fingerprint(request: Any) -> str:
    ensure_json_depth(request.body)  # before json.loads, which would recurse once per level
    try:
        body: Any = json.loads(request.body or b"null")
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
    except (ValueError, UnicodeDecodeError):
        canonical = hashlib.sha256(request.body).hexdigest()
    return hashlib.sha256(f"{request.method} {request.path}\n{canonical}".encode()).hexdigest()


# One statement in the request's autocommit (PostgreSQL and SQLite >= 3.35 both have ON CONFLICT and RETURNING):
# the in-flight row is committed at once, so a concurrent request with the same key sees it.
_CLAIM_SQL = f"""
INSERT INTO {IdempotencyKey._meta.db_table}
    (user_id, scope, key, request_fingerprint, state, response_content_type, created_at, locked_at)
VALUES (%s, %s, %s, %s, %s, '', %s, %s)
ON CONFLICT (user_id, scope, key) DO NOTHING
RETURNING id
"""  # noqa: S608 (the table name comes from the model)


def _claim(user: User, scope: str, key: str, fingerprint: str) -> tuple[IdempotencyKey, bool]:
    """Record the key as in flight (committed at once, so concurrent requests see it). Returns (row, claimed)."""
    now = timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM_SQL, [user.pk, scope, key, fingerprint, IdempotencyKey.State.IN_FLIGHT, stamp, stamp])
        row = cursor.fetchone()
    if row is not None:
        return IdempotencyKey(pk=row[0], user=user, scope=scope, key=key, request_fingerprint=fingerprint,
                              locked_at=now, created_at=now), True
    existing = IdempotencyKey.objects.get(user=user, scope=scope, key=key)
    if existing.request_fingerprint != fingerprint:
        raise IdempotencyKeyReused(f"Idempotency key {key!r} was already used for a different request.")
    if existing.state == IdempotencyKey.State.COMPLETED:
        return existing, False
    stale_before = now - settings.IDEMPOTENCY_LOCK_TIMEOUT
    taken_over = IdempotencyKey.objects.filter(
        pk=existing.pk, state=IdempotencyKey.State.IN_FLIGHT, locked_at__lt=stale_before
    ).update(locked_at=now)
    if taken_over:
        existing.locked_at = now
        return existing, True
    raise IdempotentRequestInProgress(f"A request with idempotency key {key!r} is still being processed.")


_COMPLETE_SQL = f"""
UPDATE {IdempotencyKey._meta.db_table}
SET state = %s, response_status = %s, response_body = %s, response_content_type = %s, completed_at = %s
WHERE id = %s
"""  # noqa: S608 (the table name comes from the model)


def _complete(record: IdempotencyKey, response: HttpResponse) -> None:
    """Remember the response for replays (one statement: this runs on every money-moving request)."""
    with connection.cursor() as cursor:
        cursor.execute(_COMPLETE_SQL, [
            IdempotencyKey.State.COMPLETED, response.status_code, bytes(response.content),
            response.get("Content-Type", ""), connection.ops.adapt_datetimefield_value(timezone.now()), record.pk,
        ])


def _replay(record: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(bytes(record.response_body or b""), status=record.response_status,
                            content_type=record.response_content_type or "application/json")
    response[REPLAYED_HEADER] = "true"
    return response


def idempotent(*, scope: str):
    """Make a DRF view method replay-safe by its Idempotency-Key header (see the module docstring)."""

    def decorate(view_method):
        @functools.wraps(view_method)
        def wrapper(view, request, *args, **kwargs):
            key = request.headers.get(HEADER, "").strip()
            if not key:
                raise IdempotencyKeyMissing(f"Send an {HEADER} header (a unique value per operation).")
            if len(key) > MAX_KEY_LENGTH or not _KEY.fullmatch(key):
                raise IdempotencyKeyMissing(f"{HEADER} is 1 to {MAX_KEY_LENGTH} printable ASCII characters.",
                                            code="idempotency_key_invalid")
            record, claimed = _claim(request.user, scope, key, request_fingerprint(request))
            if not claimed:
                return _replay(record)
            request.idempotency_key = key
            try:
                response = view_method(view, request, *args, **kwargs)
            except _UNREAD_REQUEST as error:
                IdempotencyKey.objects.filter(pk=record.pk).delete()
                raise error from None
            except (DomainError, APIException, Http404) as error:
                response = view.handle_exception(error)
            except BaseException:
                IdempotencyKey.objects.filter(pk=record.pk).delete()
                raise
            if isinstance(response, Response) and not response.is_rendered:
                response = view.finalize_response(request, response, *args, **kwargs)
                response.render()
            if response.status_code >= 500:
                IdempotencyKey.objects.filter(pk=record.pk).delete()
                return response
            _complete(record, response)
            return response

        wrapper.idempotency_scope = scope  # config.api.schema documents the header of such methods
        return wrapper

    return decorate
