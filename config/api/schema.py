"""The OpenAPI schema class: drf-spectacular's, plus what this API's own machinery means for a client.

- every view method wrapped by ``@idempotent`` documents its required ``Idempotency-Key`` header;
- every operation documents the problem details (RFC 9457, ``application/problem+json``) it may answer with:
  400, 401, 403, 404, 406 and 429 everywhere, and 409, 413, 415 and 422 where a body is sent. They are written
  by ``config.api.problems`` and ``config.api.http_problems``; an operation's own 4xx description wins.
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from config.api.idempotency import IDEMPOTENCY_KEY_PARAMETER
from config.api.problems import PROBLEM_CONTENT_TYPE

PROBLEM = inline_serializer("Problem", {
    "type": serializers.URLField(help_text="A URI naming the problem; ends with the code."),
    "title": serializers.CharField(),
    "status": serializers.IntegerField(),
    "detail": serializers.CharField(),
    "code": serializers.CharField(help_text="Stable and machine-readable, e.g. `invalid_amount`, `not_found`."),
    "errors": serializers.DictField(required=False, child=serializers.JSONField(),
                                    help_text="Validation errors: field name to messages."),
    "error_codes": serializers.DictField(required=False, child=serializers.JSONField(),
                                         help_text="Validation errors: field name to codes."),
})

PROBLEM_DESCRIPTIONS = {
    "400": "Invalid or unreadable request (`validation_error`, `malformed_request`, `invalid_amount`, ...).",
    "401": "Not authenticated.",
    "403": "Permission denied.",
    "404": "Not found (or not yours).",
    "406": "The Accept header asks for a representation this operation does not produce.",
    "409": "Conflict with the current state (e.g. `idempotency_request_in_progress`).",
    "413": "Request body too large.",
    "415": "Unsupported request media type.",
    "422": "Refused by a business rule (e.g. `insufficient_available_balance`, `idempotency_key_reused`).",
    "429": "Too many requests (throttled); see Retry-After.",
}
ALWAYS = ("400", "401", "403", "404", "406", "429")
WITH_BODY = ("409", "413", "415", "422")


class AutoSchema(SpectacularAutoSchema):
    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        handler = getattr(self.view, getattr(self.view, "action", None) or self.method.lower(), None)
        if getattr(handler, "idempotency_scope", None):
            parameters = [*parameters, IDEMPOTENCY_KEY_PARAMETER]
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = ALWAYS + (WITH_BODY if self.method in ("POST", "PUT", "PATCH", "DELETE") else ())
        for code in codes:
            if code not in responses:
                response = self._get_response_for_code(PROBLEM, code, [PROBLEM_CONTENT_TYPE], direction)
                response["description"] = PROBLEM_DESCRIPTIONS[code]
                responses[code] = response
        return responses
