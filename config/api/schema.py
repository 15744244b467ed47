"""The OpenAPI schema class: drf-spectacular's, plus what this API's own decorators mean for a client."""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

from config.api.idempotency import IDEMPOTENCY_KEY_PARAMETER


class AutoSchema(SpectacularAutoSchema):
    """Every view method wrapped by ``@idempotent`` documents its required ``Idempotency-Key`` header."""

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        handler = getattr(self.view, getattr(self.view, "action", None) or self.method.lower(), None)
        if getattr(handler, "idempotency_scope", None):
            parameters = [*parameters, IDEMPOTENCY_KEY_PARAMETER]
        return parameters
