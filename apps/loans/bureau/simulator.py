"""A local CreditLine bureau: the same HTTP API as the real one (``POST /v1/reports``), on loopback, for tests and
the demo.

Every subject has a file unless told otherwise, with a score from 300 to 850 derived from its name (the same
name, the same report: a demo is repeatable). ``files[name]`` sets a subject's report (``{"score": 540,
"defaults": 1, ...}``) and ``no_file`` lists names the bureau does not know. The next inquiries' behaviour is set
with ``set_behaviour`` (or ``POST /_sim/behaviour``):

- ``answer`` (default): the report;
- ``unavailable``: 503;
- ``timeout``: waits ``delay`` seconds (longer than the client's timeout) and answers 503;
- ``malformed``: 200 with a body that is not a report.

A request without ``Authorization: Bearer <api_token>`` is refused with 401. Inquiries are idempotent by
``Idempotency-Key``: a repeated key returns the first report, and ``inquiries`` counts each key once.

    python manage.py run_bureau_simulator --port 8766
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field

from apps.payments.gateway.loopback import JsonHandler, LoopbackServer


@dataclass
class SimulatedBureau:
    api_token: str = "simulator"  # noqa: S105 - a test double's credential
    files: dict[str, dict] = field(default_factory=dict)
    no_file: set[str] = field(default_factory=set)
    mode: str = "answer"
    delay: float = 0.0
    reports: dict[str, dict] = field(default_factory=dict)
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def set_behaviour(self, mode: str, *, delay: float = 0.0) -> None:
        with self.lock:
            self.mode, self.delay = mode, delay

    def report_for(self, key: str, body: dict) -> tuple[int, dict]:
        name = str(body.get("name", ""))
        with self.lock:
            if key in self.reports:
                return self.reports[key]["_status"], {k: v for k, v in self.reports[key].items() if k != "_status"}
            number = len(self.reports) + 1
            if name in self.no_file:
                status, report = 404, {"reference": f"CL-{number:06d}", "error": "no_file"}
            else:
                digest = int(hashlib.sha256(name.encode()).hexdigest()[:8], 16)
                report = {"reference": f"CL-{number:06d}", "score": 300 + digest % 551, "open_accounts": digest % 4,
                          "monthly_obligations": "0.00", "defaults": 0, "delinquent_accounts": 0,
                          **self.files.get(name, {})}
                status = 200
            self.reports[key] = {**report, "_status": status}
            return status, report


def _handler(bureau: SimulatedBureau):
    class Handler(JsonHandler):
        def do_POST(self):
            try:
                body = self._body()
            except ValueError:
                self._reply(400, {"error": "malformed_json"})
                return
            if self.path == "/_sim/behaviour":
                bureau.set_behaviour(body.get("mode", "answer"), delay=float(body.get("delay", 0)))
                self._reply(200, {"ok": True})
                return
            if self.path != "/v1/reports":
                self._reply(404, {"error": "not_found"})
                return
            with bureau.lock:
                bureau.requests += 1
                mode, delay = bureau.mode, bureau.delay
            if self.headers.get("Authorization") != f"Bearer {bureau.api_token}":
                self._reply(401, {"error": "unauthorized"})
                return
            key = self.headers.get("Idempotency-Key") or body.get("reference")
            if not key or not body.get("name"):
                self._reply(422, {"error": "reference_and_name_required"})
                return
            if mode == "unavailable":
                self._reply(503, {"error": "unavailable"})
                return
            if mode == "timeout":
                time.sleep(delay)
                self._reply(503, {"error": "timeout"})
                return
            if mode == "malformed":
                self._reply(200, ["not", "a", "report"])
                return
            self._reply(*bureau.report_for(key, body))

    return Handler


class BureauSimulatorServer(LoopbackServer):
    """Run a SimulatedBureau on 127.0.0.1 in a background thread (``with BureauSimulatorServer() as sim: ...``)."""

    def __init__(self, bureau: SimulatedBureau | None = None, port: int = 0) -> None:
        self.bureau = bureau or SimulatedBureau()
        super().__init__(_handler(self.bureau), port)
