"""The VelocityPay gateway over HTTP: JSON, timeouts, retries with exponential backoff and full jitter for
retryable failures only, and a circuit breaker.

- ``POST /v1/payments`` with ``Idempotency-Key: <reference>`` submits (the gateway answers a repeated key with
  the first result, so a retry after a timeout can never pay twice);
- ``GET /v1/payments/<reference>`` looks a payment up.

Retryable: connection errors, timeouts, 429, 502, 503, 504. Anything else 4xx is a refusal, not retried.
A timeout on the last attempt of a submit raises ``GatewayOutcomeUnknown``: the payment may have been accepted,
so the caller must look it up (``fetch_status``) before deciding anything.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable

import httpx

from apps.payments.gateway.base import (
    GatewayOutcome,
    GatewayOutcomeUnknown,
    GatewayRefused,
    GatewayUnavailable,
    PaymentInstruction,
    PaymentNotFound,
)
from apps.payments.gateway.circuit_breaker import CircuitBreaker

logger = logging.getLogger(__name__)

RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})


class VelocityPayGateway:
    name = "velocitypay"

    def __init__(self, *, base_url: str, api_key: str, connect_timeout: float = 2.0, read_timeout: float = 5.0,
                 max_attempts: int = 4, backoff_base: float = 0.2, backoff_cap: float = 5.0,
                 breaker: CircuitBreaker | None = None, transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.base_url = base_url.rstrip("/")
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.breaker = breaker or CircuitBreaker(self.name)
        self.sleep = sleep
        self.client = httpx.Client(
            base_url=self.base_url,
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
            headers={"Authorization": f"Bearer {api_key}", "User-Agent": "ogpgy-backoffice"},
            transport=transport,
        )

    def _backoff(self, attempt: int) -> float:
        """Full jitter: a random wait up to base * 2**attempt, capped (AWS architecture blog's advice)."""
        return random.uniform(0, min(self.backoff_cap, self.backoff_base * 2**attempt))

    def _request(self, method: str, path: str, **kwargs) -> httpx.Response:
        self.breaker.before_call()
        last_error: Exception | None = None
        timed_out_after_sending = False
        for attempt in range(self.max_attempts):
            if attempt:
                self.sleep(self._backoff(attempt))
            try:
                response = self.client.request(method, path, **kwargs)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as error:
                last_error = error  # never reached the gateway
            except (httpx.ReadTimeout, httpx.WriteTimeout, httpx.RemoteProtocolError, httpx.ReadError) as error:
                last_error = error
                timed_out_after_sending = True
            else:
                if response.status_code not in RETRYABLE_STATUSES:
                    self.breaker.record_success()
                    return response
                last_error = GatewayUnavailable(f"VelocityPay answered {response.status_code}")
            logger.warning("VelocityPay %s %s attempt %d failed: %s", method, path, attempt + 1, last_error)
        self.breaker.record_failure()
        if timed_out_after_sending:
            raise GatewayOutcomeUnknown(f"VelocityPay did not answer {method} {path}: {last_error}")
        raise GatewayUnavailable(f"VelocityPay unavailable for {method} {path}: {last_error}")

    @staticmethod
    def _outcome(body: dict) -> GatewayOutcome:
        return GatewayOutcome(status=body["status"], gateway_id=body.get("gateway_id", ""),
                              reason=body.get("reason", ""), raw=body)

    def submit(self, instruction: PaymentInstruction) -> GatewayOutcome:
        payload = {
            "reference": instruction.reference,
            "rail": instruction.rail,
            "amount": str(instruction.amount),
            "currency": instruction.currency,
            "creditor": {"name": instruction.creditor_name, "account": instruction.creditor_account,
                         "country": instruction.creditor_country,
                         **({"bic": instruction.creditor_bic} if instruction.creditor_bic else {})},
            "debtor": {"name": instruction.debtor_name, "account": instruction.debtor_account},
            "remittance_information": instruction.remittance_information,
        }
        response = self._request("POST", "/v1/payments", content=json.dumps(payload),
                                 headers={"Idempotency-Key": instruction.reference,
                                          "Content-Type": "application/json"})
        if response.status_code >= 400:
            raise GatewayRefused(f"VelocityPay refused {instruction.reference}: {response.status_code} "
                                 f"{response.text[:200]}")
        return self._outcome(response.json())

    def fetch_status(self, reference: str) -> GatewayOutcome:
        response = self._request("GET", f"/v1/payments/{reference}")
        if response.status_code == 404:
            raise PaymentNotFound(f"VelocityPay has no payment {reference}.")
        if response.status_code >= 400:
            raise GatewayRefused(f"VelocityPay refused the lookup of {reference}: {response.status_code}")
        return self._outcome(response.json())
