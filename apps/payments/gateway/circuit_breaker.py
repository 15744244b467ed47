"""A circuit breaker shared by every worker through the cache (Redis in production).

Closed: calls go through; consecutive failures are counted. After ``failure_threshold`` of them the circuit
opens: calls fail at once with ``GatewayUnavailable`` for ``reset_timeout`` seconds, sparing the gateway and
our workers. Then it is half-open: one call is let through; success closes the circuit, failure opens it again.
"""

from __future__ import annotations

import time

from django.core.cache import cache

from apps.payments.gateway.base import GatewayUnavailable


class CircuitBreaker:
    def __init__(self, name: str, *, failure_threshold: int = 5, reset_timeout: float = 30.0) -> None:
        self.name = name
        self.failure_threshold = failure_threshold
        self.reset_timeout = reset_timeout
        self._failures_key = f"circuit:{name}:failures"
        self._opened_key = f"circuit:{name}:opened_at"
        self._trial_key = f"circuit:{name}:half_open_trial"

    @property
    def state(self) -> str:
        opened_at = cache.get(self._opened_key)
        if opened_at is None:
            return "closed"
        return "half_open" if time.time() - opened_at >= self.reset_timeout else "open"

    def before_call(self) -> None:
        state = self.state
        if state == "open":
            raise GatewayUnavailable(f"Circuit {self.name} is open: the gateway failed repeatedly; retry later.")
        # Half-open: only the first caller to claim the trial slot goes through.
        if state == "half_open" and not cache.add(self._trial_key, 1, timeout=int(self.reset_timeout) or 1):
            raise GatewayUnavailable(f"Circuit {self.name} is half-open and already testing the gateway.")

    def record_success(self) -> None:
        cache.delete_many([self._failures_key, self._opened_key, self._trial_key])

    def record_failure(self) -> None:
        cache.add(self._failures_key, 0, timeout=None)
        failures = cache.incr(self._failures_key)
        if failures >= self.failure_threshold or self.state == "half_open":
            cache.set(self._opened_key, time.time(), timeout=None)
            cache.delete(self._trial_key)
