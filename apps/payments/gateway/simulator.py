"""A local VelocityPay: the same HTTP API as the real gateway, on loopback, for tests and the demo.

Its behaviour for the next submissions is set on demand (``POST /_sim/behaviour`` or ``set_behaviour``):

- ``accept`` (default): accepts; with ``settle_after`` seconds set, settles later by webhook;
- ``reject``: refuses the payment (``status: rejected``);
- ``unavailable``: answers 503 without recording anything;
- ``timeout``: waits ``delay`` seconds (longer than the client's timeout) and records nothing;
- ``accept_then_timeout``: records the payment as accepted, then waits ``delay`` seconds before answering
  (replays of it too, while the behaviour lasts), so the client times out although the gateway took it;
- ``slow``: waits ``delay`` seconds (shorter than the client's timeout), then accepts;
- ``webhook_first``: accepts and sends the settlement webhook *before* answering the submit call.

Submissions are idempotent by ``Idempotency-Key``: a repeated key returns the first result. Webhooks are
signed like the real gateway's (signatures.py) and sent to ``webhook_url``; ``settle(reference)`` and
``fail(reference)`` send one by hand, and ``send_webhook(...)`` sends any, possibly twice.

    python manage.py run_gateway_simulator --port 8765 --webhook-url http://127.0.0.1:8000/api/v1/...
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field

import httpx

from apps.payments.gateway.loopback import JsonHandler, LoopbackServer
from apps.payments.gateway.signatures import SIGNATURE_HEADER, sign


@dataclass
class Behaviour:
    mode: str = "accept"
    delay: float = 0.0
    count: int | None = None  # None: until changed
    settle_after: float | None = None


@dataclass
class SimulatedGateway:
    webhook_url: str = ""
    webhook_secret: str = "simulator-webhook-secret"  # noqa: S105 - a test double's shared secret
    payments: dict[str, dict] = field(default_factory=dict)
    submissions: int = 0
    behaviours: list[Behaviour] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    webhooks_sent: list[dict] = field(default_factory=list)

    def set_behaviour(self, mode: str, *, delay: float = 0.0, count: int | None = None,
                      settle_after: float | None = None) -> None:
        with self.lock:
            self.behaviours = [Behaviour(mode, delay, count, settle_after)]

    def _next_behaviour(self) -> Behaviour:
        with self.lock:
            if not self.behaviours:
                return Behaviour()
            behaviour = self.behaviours[0]
            if behaviour.count is not None:
                behaviour.count -= 1
                if behaviour.count <= 0:
                    self.behaviours.pop(0)
            return behaviour

    def record(self, reference: str, body: dict, status: str, reason: str = "") -> dict:
        with self.lock:
            payment = self.payments.setdefault(reference, {
                "reference": reference, "gateway_id": f"vp_{uuid.uuid4().hex[:16]}", "status": status,
                "reason": reason, "amount": body.get("amount"), "currency": body.get("currency"),
            })
            return dict(payment)

    def send_webhook(self, reference: str, status: str, *, reason: str = "", event_id: str | None = None) -> int:
        with self.lock:
            payment = self.payments.get(reference, {"reference": reference, "gateway_id": ""})
            payment["status"] = status
            body = {"id": event_id or f"evt_{uuid.uuid4().hex[:16]}", "type": f"payment.{status}",
                    "reference": reference, "gateway_id": payment.get("gateway_id", ""), "status": status,
                    "reason": reason, "amount": payment.get("amount"), "currency": payment.get("currency")}
        raw = json.dumps(body).encode()
        response = httpx.post(self.webhook_url, content=raw, timeout=10,
                              headers={"Content-Type": "application/json",
                                       SIGNATURE_HEADER: sign(self.webhook_secret, raw)})
        self.webhooks_sent.append(body)
        return response.status_code

    def settle(self, reference: str) -> int:
        return self.send_webhook(reference, "settled")

    def fail(self, reference: str, reason: str = "beneficiary bank refused") -> int:
        return self.send_webhook(reference, "failed", reason=reason)


def _handler(gateway: SimulatedGateway):
    class Handler(JsonHandler):
        def do_GET(self):
            if self.path.startswith("/v1/payments/"):
                reference = self.path.rsplit("/", 1)[-1]
                payment = gateway.payments.get(reference)
                if payment is None:
                    self._reply(404, {"error": "not_found"})
                else:
                    self._reply(200, dict(payment))
                return
            self._reply(404, {"error": "not_found"})

        def do_POST(self):
            body = self._body()
            if self.path == "/_sim/behaviour":
                gateway.set_behaviour(body.get("mode", "accept"), delay=float(body.get("delay", 0)),
                                      count=body.get("count"), settle_after=body.get("settle_after"))
                self._reply(200, {"ok": True})
                return
            if self.path != "/v1/payments":
                self._reply(404, {"error": "not_found"})
                return
            reference = self.headers.get("Idempotency-Key") or body.get("reference")
            if not reference:
                self._reply(400, {"error": "idempotency_key_required"})
                return
            with gateway.lock:
                gateway.submissions += 1
            existing = gateway.payments.get(reference)
            if existing is not None:  # idempotent replay: the first result, nothing new
                with gateway.lock:
                    current = gateway.behaviours[0] if gateway.behaviours else Behaviour()
                if current.mode == "accept_then_timeout":  # still too slow to answer in time
                    time.sleep(current.delay)
                self._reply(200, dict(existing))
                return
            behaviour = gateway._next_behaviour()
            if behaviour.mode == "unavailable":
                self._reply(503, {"error": "unavailable"})
                return
            if behaviour.mode == "timeout":
                time.sleep(behaviour.delay)
                self._reply(503, {"error": "timeout"})
                return
            if behaviour.mode == "reject":
                self._reply(201, gateway.record(reference, body, "rejected", "creditor account unknown"))
                return
            if behaviour.mode == "accept_then_timeout":
                payment = gateway.record(reference, body, "accepted")
                time.sleep(behaviour.delay)
                self._reply(201, payment)
                return
            if behaviour.mode == "slow":
                time.sleep(behaviour.delay)
            payment = gateway.record(reference, body, "accepted")
            if behaviour.mode == "webhook_first":
                gateway.settle(reference)
                payment = dict(gateway.payments[reference])
                payment["status"] = "accepted"  # the submit answer still says what it said at acceptance
            elif behaviour.settle_after is not None:
                threading.Timer(behaviour.settle_after, gateway.settle, args=(reference,)).start()
            self._reply(201, payment)

    return Handler


class SimulatorServer(LoopbackServer):
    """Run a SimulatedGateway on 127.0.0.1 in a background thread (``with SimulatorServer() as sim: ...``)."""

    def __init__(self, gateway: SimulatedGateway | None = None, port: int = 0) -> None:
        self.gateway = gateway or SimulatedGateway()
        super().__init__(_handler(self.gateway), port)
