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
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


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
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *args):
            pass

        def _reply(self, status: int, body: object) -> None:
            raw = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timed out)

        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
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


class BureauSimulatorServer:
    """Run a SimulatedBureau on 127.0.0.1 in a background thread (``with BureauSimulatorServer() as sim: ...``)."""

    def __init__(self, bureau: SimulatedBureau | None = None, port: int = 0) -> None:
        self.bureau = bureau or SimulatedBureau()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), _handler(self.bureau))
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> BureauSimulatorServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
