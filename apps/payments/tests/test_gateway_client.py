"""The VelocityPay client against the local simulator on loopback: retries, timeouts, circuit breaker."""

import json
import time
from decimal import Decimal

import pytest

from apps.payments.gateway.base import (
    GatewayOutcomeUnknown,
    GatewayUnavailable,
    PaymentInstruction,
    PaymentNotFound,
)
from apps.payments.gateway.circuit_breaker import CircuitBreaker
from apps.payments.gateway.signatures import sign, verify
from apps.payments.gateway.simulator import SimulatorServer
from apps.payments.gateway.velocitypay import VelocityPayGateway


@pytest.fixture
def simulator():
    with SimulatorServer() as server:
        yield server


def _gateway(simulator, *, read_timeout=1.0, attempts=3, threshold=5, name=None):
    waits = []
    gateway = VelocityPayGateway(
        base_url=simulator.url, api_key="test", read_timeout=read_timeout, max_attempts=attempts,
        backoff_base=0.01, breaker=CircuitBreaker(name or f"test-{time.monotonic_ns()}",
                                                  failure_threshold=threshold, reset_timeout=0.3),
        sleep=waits.append,
    )
    gateway.waits = waits
    return gateway


def _instruction(reference="PAY-1"):
    return PaymentInstruction(reference=reference, rail="instant", amount=Decimal("12.34"), currency="EUR",
                              creditor_name="Ana", creditor_account="PT50000201231234567890154",
                              creditor_country="PT", debtor_name="Rui", debtor_account="OGPGY-1")


def test_submit_is_accepted_and_can_be_looked_up(simulator):
    gateway = _gateway(simulator)
    outcome = gateway.submit(_instruction())
    assert outcome.status == "accepted"
    assert gateway.fetch_status("PAY-1").gateway_id == outcome.gateway_id


def test_submitting_the_same_reference_twice_pays_once(simulator):
    gateway = _gateway(simulator)
    first = gateway.submit(_instruction())
    again = gateway.submit(_instruction())
    assert again.gateway_id == first.gateway_id
    assert len(simulator.gateway.payments) == 1


def test_retryable_errors_are_retried_with_backoff_then_succeed(simulator):
    simulator.gateway.set_behaviour("unavailable", count=2)
    gateway = _gateway(simulator, attempts=4)
    assert gateway.submit(_instruction()).status == "accepted"
    assert simulator.gateway.submissions == 3
    assert len(gateway.waits) == 2
    assert all(0 <= wait <= 0.01 * 2**attempt for attempt, wait in enumerate(gateway.waits, start=1))


def test_a_refusal_is_not_retried(simulator):
    simulator.gateway.set_behaviour("reject")
    gateway = _gateway(simulator)
    outcome = gateway.submit(_instruction())
    assert outcome.status == "rejected"
    assert simulator.gateway.submissions == 1


def test_timeout_after_the_gateway_accepted_is_resolved_by_the_retry_not_a_second_payment(simulator):
    # the gateway takes the payment but answers too late; the retry with the same key gets the first result
    simulator.gateway.set_behaviour("accept_then_timeout", delay=0.6, count=1)
    gateway = _gateway(simulator, read_timeout=0.3)
    outcome = gateway.submit(_instruction())
    assert outcome.status == "accepted"
    assert len(simulator.gateway.payments) == 1


def test_timeouts_on_every_attempt_leave_the_outcome_unknown(simulator):
    simulator.gateway.set_behaviour("accept_then_timeout", delay=0.5)
    gateway = _gateway(simulator, read_timeout=0.2, attempts=2)
    with pytest.raises(GatewayOutcomeUnknown):
        gateway.submit(_instruction())
    time.sleep(0.5)
    # the lookup tells the truth: the gateway has it
    assert gateway.fetch_status("PAY-1").status == "accepted"


def test_a_slow_answer_within_the_timeout_is_fine(simulator):
    simulator.gateway.set_behaviour("slow", delay=0.1)
    assert _gateway(simulator, read_timeout=1.0).submit(_instruction()).status == "accepted"


def test_unknown_payment_lookup(simulator):
    with pytest.raises(PaymentNotFound):
        _gateway(simulator).fetch_status("NOPE")


@pytest.mark.django_db
def test_circuit_opens_after_consecutive_failures_and_closes_after_a_good_trial(simulator):
    simulator.gateway.set_behaviour("unavailable")
    gateway = _gateway(simulator, attempts=1, threshold=3)
    for _ in range(3):
        with pytest.raises(GatewayUnavailable):
            gateway.submit(_instruction())
    assert gateway.breaker.state == "open"
    sent = simulator.gateway.submissions
    with pytest.raises(GatewayUnavailable, match="open"):
        gateway.submit(_instruction())
    assert simulator.gateway.submissions == sent  # no network call while open
    time.sleep(0.35)
    simulator.gateway.set_behaviour("accept")
    assert gateway.breaker.state == "half_open"
    assert gateway.submit(_instruction()).status == "accepted"
    assert gateway.breaker.state == "closed"


def test_connection_refused_is_unavailable_not_unknown():
    gateway = VelocityPayGateway(base_url="http://127.0.0.1:1", api_key="x", max_attempts=2, backoff_base=0,
                                 breaker=CircuitBreaker(f"refused-{time.monotonic_ns()}"), sleep=lambda s: None)
    with pytest.raises(GatewayUnavailable) as error:
        gateway.submit(_instruction())
    assert not isinstance(error.value, GatewayOutcomeUnknown)


def test_webhook_signatures_verify_and_refuse_tampering_and_old_timestamps():
    body = json.dumps({"reference": "PAY-1", "status": "settled"}).encode()
    header = sign("secret", body)
    assert verify("secret", header, body)
    assert not verify("other secret", header, body)
    assert not verify("secret", header, body.replace(b"settled", b"failed"))
    assert not verify("secret", "garbage", body)
    old = sign("secret", body, timestamp=int(time.time()) - 3600)
    assert not verify("secret", old, body)
