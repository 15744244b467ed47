"""The CreditLine bureau over HTTP: ``POST /v1/reports`` with the subject, ``Authorization: Bearer <token>`` and
``Idempotency-Key: <inquiry reference>``; JSON answer. Timeouts on connect and read, a few retries with
exponential backoff and full jitter for retryable failures only, and the circuit breaker the payment gateway uses
(shared by every worker through the cache), so a bureau that is down costs each application one fast refusal.

Answers: 200 a report; 404 no file on the subject (a thin file); 401/403/400/422 a refusal (``BureauRefused``);
connection errors, timeouts, 429, 5xx: retried, then ``BureauUnavailable``.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

import httpx

from apps.loans.bureau.base import BureauRefused, BureauSubject, BureauUnavailable, CreditReport
from apps.payments.gateway.base import GatewayUnavailable
from apps.payments.gateway.circuit_breaker import CircuitBreaker

logger = logging.getLogger(__name__)

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


class HttpCreditBureau:
    def __init__(self, *, base_url: str, api_token: str, name: str = "creditline", timeout: float = 5.0,
                 connect_timeout: float = 2.0, max_attempts: int = 2, backoff_base: float = 0.1,
                 breaker: CircuitBreaker | None = None, transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.name = name
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.breaker = breaker or CircuitBreaker(f"bureau:{name}")
        self.sleep = sleep
        self.client = httpx.Client(base_url=base_url.rstrip("/"), transport=transport,
                                   timeout=httpx.Timeout(timeout, connect=connect_timeout),
                                   headers={"Authorization": f"Bearer {api_token}", "User-Agent": "ogpgy-backoffice"})

    def _post(self, path: str, payload: dict, *, key: str) -> httpx.Response:
        try:
            self.breaker.before_call()
        except GatewayUnavailable as open_circuit:
            raise BureauUnavailable(str(open_circuit).replace("the gateway", "the bureau")) from None
        last_error: object = None
        for attempt in range(self.max_attempts):
            if attempt:
                self.sleep(random.uniform(0, self.backoff_base * 2**attempt))
            try:
                response = self.client.post(path, json=payload, headers={"Idempotency-Key": key})
            except httpx.HTTPError as error:  # connection refused, timeouts, a broken answer
                last_error = error
            else:
                if response.status_code not in RETRYABLE_STATUSES:
                    self.breaker.record_success()
                    return response
                last_error = f"HTTP {response.status_code}"
            logger.warning("Credit bureau %s %s attempt %d failed: %s", self.name, path, attempt + 1, last_error)
        self.breaker.record_failure()
        raise BureauUnavailable(f"The credit bureau {self.name} did not answer ({last_error}).")

    def fetch_report(self, subject: BureauSubject) -> CreditReport:
        payload = {"reference": subject.inquiry_reference, "name": subject.legal_name, "country": subject.country,
                   "date_of_birth": subject.date_of_birth.isoformat() if subject.date_of_birth else None,
                   "national_id_last4": subject.national_id_last4,
                   "registration_number": subject.registration_number}
        response = self._post("/v1/reports", payload, key=subject.inquiry_reference)
        if response.status_code == 404:
            return CreditReport(bureau=self.name, reference=_reference(response), found=False, raw=_json(response))
        if response.status_code >= 400:
            raise BureauRefused(f"The credit bureau {self.name} refused the inquiry: HTTP {response.status_code}.")
        return _report(self.name, _json(response))


def _json(response: httpx.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        raise BureauUnavailable(f"The credit bureau answered HTTP {response.status_code} without JSON.") from None
    if not isinstance(body, dict):
        raise BureauUnavailable("The credit bureau's answer is not a JSON object.")
    return body


def _reference(response: httpx.Response) -> str:
    try:
        return str(response.json().get("reference", ""))[:100]
    except (ValueError, AttributeError):
        return ""


def _report(name: str, body: dict) -> CreditReport:
    """A report from the bureau's JSON; an answer missing a field or out of range is the bureau failing."""
    try:
        score = int(body["score"])
        obligations = Decimal(str(body.get("monthly_obligations", "0")))
        report = CreditReport(bureau=name, reference=str(body.get("reference", ""))[:100], found=True, score=score,
                              open_accounts=int(body.get("open_accounts", 0)), monthly_obligations=obligations,
                              defaults=int(body.get("defaults", 0)),
                              delinquent_accounts=int(body.get("delinquent_accounts", 0)), raw=body)
    except (KeyError, TypeError, ValueError, InvalidOperation):
        raise BureauUnavailable("The credit bureau's report is malformed.") from None
    if not 300 <= score <= 850 or not obligations.is_finite() or obligations < 0 or min(
            report.open_accounts, report.defaults, report.delinquent_accounts) < 0:
        raise BureauUnavailable("The credit bureau's report is out of range.")
    return report
