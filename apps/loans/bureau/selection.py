"""The credit bureau the settings choose: ``CREDIT_BUREAU`` = "http" (``CREDIT_BUREAU_URL``, the simulator by
default) or "offline" (none: every inquiry is unavailable, so applications wait under review)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from apps.loans.bureau.base import BureauSubject, BureauUnavailable, CreditBureau, CreditReport
from apps.loans.bureau.http import HttpCreditBureau
from apps.payments.gateway.circuit_breaker import CircuitBreaker


class OfflineCreditBureau:
    name = "offline"

    def fetch_report(self, subject: BureauSubject) -> CreditReport:
        raise BureauUnavailable("No credit bureau is configured (CREDIT_BUREAU=offline).")


def get_credit_bureau() -> CreditBureau:
    if settings.CREDIT_BUREAU == "offline":
        return OfflineCreditBureau()
    if settings.CREDIT_BUREAU != "http":
        raise ImproperlyConfigured(f"CREDIT_BUREAU is 'http' or 'offline', not {settings.CREDIT_BUREAU!r}.")
    name = settings.CREDIT_BUREAU_NAME
    return HttpCreditBureau(
        base_url=settings.CREDIT_BUREAU_URL, api_token=settings.CREDIT_BUREAU_API_TOKEN, name=name,
        timeout=settings.CREDIT_BUREAU_TIMEOUT,
        breaker=CircuitBreaker(f"bureau:{name}", failure_threshold=settings.CREDIT_BUREAU_BREAKER_FAILURES,
                               reset_timeout=settings.CREDIT_BUREAU_BREAKER_RESET_SECONDS))
