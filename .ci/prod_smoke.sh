#!/usr/bin/env bash
# Production smoke test: what `pip install .` (no test extras) gives, running as production runs it.
#
# A fresh venv in a temp dir with only the production install; its own PostgreSQL database (dropped and made
# again) and Redis database; gunicorn, a Celery worker, Celery beat and the VelocityPay simulator on free loopback
# ports, all in production mode (DEBUG=0). Then over HTTP: /healthz is 200, a customer's token, a transfer, an
# outgoing payment settled by the simulator's webhook, and proof that the worker process ran the payment's task
# (not the web process, eagerly). Everything it started is stopped on exit; on failure it prints the logs.
#
#   .ci/prod_smoke.sh
#
# Environment (defaults in brackets): SMOKE_PG_URL [postgres://postgres@127.0.0.1:5432], SMOKE_DB [ogpgy_smoke],
# SMOKE_REDIS [redis://127.0.0.1:6379], SMOKE_REDIS_DB [5] (flushed at the start), SMOKE_KEEP=1 keeps the temp dir.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
PG_URL="${SMOKE_PG_URL:-postgres://postgres@127.0.0.1:5432}"
DB_NAME="${SMOKE_DB:-ogpgy_smoke}"
REDIS_BASE="${SMOKE_REDIS:-redis://127.0.0.1:6379}"
REDIS_DB="${SMOKE_REDIS_DB:-5}"
PYTHON="${PYTHON:-python3}"
STARTED_AT=$(date +%s)

WORK="$(mktemp -d "${TMPDIR:-/tmp}/ogpgy-smoke.XXXXXX")"
LOGS="$WORK/logs"
mkdir -p "$LOGS"
PIDS=()

step() { printf '\n== %s (%ss)\n' "$*" "$(( $(date +%s) - STARTED_AT ))"; }

show_logs() {
  for log in "$LOGS"/*.log; do
    [ -f "$log" ] || continue
    printf '\n----- %s (last 60 lines) -----\n' "$(basename "$log")"
    tail -n 60 "$log"
  done
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  local pid left
  for pid in "${PIDS[@]}"; do  # each process we started, by its id
    kill -TERM "$pid" 2>/dev/null || true
  done
  for _ in $(seq 1 75); do  # at most 15 seconds for all of them to stop, then they are killed
    left=0
    for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && left=1; done
    [ "$left" = 0 ] && break
    sleep 0.2
  done
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "$status" -ne 0 ]; then
    show_logs
    echo "PRODUCTION SMOKE TEST FAILED (exit $status) after $(( $(date +%s) - STARTED_AT ))s"
  else
    echo "stopped everything it started; $(( $(date +%s) - STARTED_AT ))s in all"
  fi
  if [ "${SMOKE_KEEP:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Started in the background with its output in logs/NAME.log; its pid is recorded for the cleanup.
start() {
  local name=$1; shift
  "$@" >"$LOGS/$name.log" 2>&1 &
  PIDS+=("$!")
}

alive() {  # every process we started is still running
  local pid
  for pid in "${PIDS[@]}"; do
    kill -0 "$pid" 2>/dev/null || { echo "a process we started (pid $pid) has exited"; return 1; }
  done
}

step "source: the files git tracks or would track (no build/ or .venv leftovers)"
mkdir -p "$WORK/src"
(cd "$REPO" && git ls-files -z --cached --others --exclude-standard --deduplicate \
  | tar --null -T - --ignore-failed-read -cf - 2>/dev/null) | tar -xf - -C "$WORK/src"

step "fresh venv with the production install only: pip install . (no -e, no test extras)"
"$PYTHON" -m venv "$WORK/venv"
VENV="$WORK/venv/bin"
# --no-compile: Python compiles what it imports when it imports it; byte-compiling every file first is a CI cost.
"$VENV/python" -m pip install --disable-pip-version-check --no-compile -q "$WORK/src" >"$LOGS/pip.log" 2>&1
if "$VENV/python" -c 'import pytest' 2>/dev/null; then echo "pytest is installed: not a production install"; exit 1; fi
"$VENV/python" -c 'import kombu.transport.redis' # the broker transport's own imports (packaging) are there

step "settings: production mode on our own database and Redis database"
WEB_PORT=$(free_port)
SIM_PORT=$(free_port)
while [ "$SIM_PORT" = "$WEB_PORT" ]; do SIM_PORT=$(free_port); done
export OGPGY_READ_DOT_ENV=0 DEBUG=0 DEMO_DATA_ALLOWED=1
SECRET_KEY="$("$VENV/python" -c 'import secrets; print(secrets.token_urlsafe(50))')"
export SECRET_KEY
export ALLOWED_HOSTS=127.0.0.1,localhost
export SECURE_SSL_REDIRECT=0  # plain HTTP on loopback; behind the TLS proxy it stays on (README "Production")
export DATABASE_URL="$PG_URL/$DB_NAME"
export CELERY_BROKER_URL="$REDIS_BASE/$REDIS_DB" REDIS_URL="$REDIS_BASE/$REDIS_DB" CACHE_KEY_PREFIX=ogpgy-smoke
export CELERY_TASK_ALWAYS_EAGER=0
export VELOCITYPAY_BASE_URL="http://127.0.0.1:$SIM_PORT"
export VELOCITYPAY_WEBHOOK_SECRET="smoke-$(date +%s)"
export EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend
export STATIC_ROOT="$WORK/static" MEDIA_ROOT="$WORK/media"
mkdir -p "$STATIC_ROOT"
export PYTHONUNBUFFERED=1
cd "$WORK/src"  # as in the Docker image: manage.py, templates, static and fixtures beside the installed code
MANAGE=("$VENV/python" manage.py)

"$VENV/python" - "$PG_URL" "$DB_NAME" "$CELERY_BROKER_URL" <<'EOF'
import sys

import psycopg
import redis

server, name, broker = sys.argv[1:]
with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
    connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    connection.execute(f'CREATE DATABASE "{name}"')
redis.Redis.from_url(broker).flushdb()  # no message left from an earlier run
print(f"database {name} created; {broker} emptied")
EOF

# Not here: check --deploy (make check-deploy in .ci/run).
step "migrate, beat schedules"
"${MANAGE[@]}" migrate --noinput >"$LOGS/migrate.log" 2>&1
"${MANAGE[@]}" install_beat_schedules >>"$LOGS/migrate.log" 2>&1

# As the Docker build does: the npm files into static/vendor/ (not in git), then collectstatic with the production
# storage (hashed names, compressed), which gunicorn serves through WhiteNoise.
step "static files: npm's Chart.js into static/vendor/ (scripts/vendor_static.sh), collectstatic"
sh scripts/vendor_static.sh >"$LOGS/static.log" 2>&1
"${MANAGE[@]}" collectstatic --noinput >>"$LOGS/static.log" 2>&1
CHART_JS_URL="$("${MANAGE[@]}" shell --no-imports -c \
  "from django.templatetags.static import static; print(static('vendor/chart.js/chart.umd.min.js'))")"
echo "Chart.js is served as $CHART_JS_URL"

step "start gunicorn :$WEB_PORT, the Celery worker, Celery beat, the gateway simulator :$SIM_PORT"
start gunicorn "$VENV/gunicorn" config.wsgi:application --bind "127.0.0.1:$WEB_PORT" --workers 2 --threads 2 \
  --timeout 60 --access-logfile -
start worker "$VENV/celery" -A config worker --loglevel info --concurrency 1 --hostname "smoke-worker@%h"
start beat "$VENV/celery" -A config beat --loglevel info --schedule "$WORK/beat-schedule"
start simulator "${MANAGE[@]}" run_gateway_simulator --port "$SIM_PORT" --settle-after 1 \
  --webhook-url "http://127.0.0.1:$WEB_PORT/api/v1/gateways/velocitypay/webhooks/"

step "demo data (seed_demo), while they start"
"${MANAGE[@]}" seed_demo >"$LOGS/seed_demo.log" 2>&1 || { echo "seed_demo failed"; exit 1; }
alive

step "over HTTP: healthz, the admin's Chart.js, token, transfer, outgoing payment settled by webhook"
"$VENV/python" - "http://127.0.0.1:$WEB_PORT" "$LOGS" "$CHART_JS_URL" <<'EOF'
import sys
import time
import uuid
from pathlib import Path

import httpx

base, logs, chart_js = sys.argv[1], Path(sys.argv[2]), sys.argv[3]


def wait_for(what, probe, seconds):
    deadline = time.monotonic() + seconds
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() > deadline:
            sys.exit(f"timed out after {seconds}s waiting for {what}")
        time.sleep(0.5)


def healthy():
    try:
        response = httpx.get(f"{base}/healthz", timeout=5)
    except httpx.TransportError:
        return None
    print("healthz:", response.status_code, response.text)
    return response if response.status_code == 200 else None


wait_for("/healthz to answer 200", healthy, 60)
chart = httpx.get(f"{base}{chart_js}", timeout=15)  # what the admin home's <script> asks for
assert chart.status_code == 200 and "Chart" in chart.text[:2000], (chart.status_code, chart.text[:200])
print("Chart.js:", chart_js, chart.status_code, len(chart.content), "bytes")
client = httpx.Client(base_url=f"{base}/api/v1", timeout=15)
token = client.post("/auth/token/", json={"username": "ana.sousa", "password": "ogpgy-demo-2026"})
assert token.status_code == 200, (token.status_code, token.text)
client.headers["Authorization"] = f"Token {token.json()['token']}"
accounts = {account["product"]: account for account in client.get("/accounts/").json()["results"]}
current, savings = accounts["CUR"]["number"], accounts["SAV"]["number"]

transfer = client.post("/transfers/", headers={"Idempotency-Key": str(uuid.uuid4())}, json={
    "from_account": current, "to_account": savings, "amount": "10.00", "currency": "EUR",
    "reference": "smoke test"})
assert transfer.status_code == 201 and transfer.json()["status"] == "completed", (transfer.status_code, transfer.text)
print("transfer:", transfer.json()["id"], transfer.json()["status"])

payment = client.post("/payments/outgoing/", headers={"Idempotency-Key": str(uuid.uuid4())}, json={
    "from_account": current, "amount": "20.00", "currency": "EUR", "rail": "instant",
    "creditor_name": "Smoke Test Lda", "creditor_account": "PT50000201231234567890154", "creditor_country": "PT"})
assert payment.status_code == 201, (payment.status_code, payment.text)
reference = payment.json()["reference"]
print("outgoing payment:", reference, payment.json()["status"])


def settled():
    status = client.get(f"/payments/outgoing/{reference}/").json()["status"]
    assert status in ("initiated", "submitted", "settled"), status
    return status == "settled"


wait_for(f"{reference} to be settled by the simulator's webhook", settled, 60)
print("outgoing payment:", reference, "settled")

# The worker process ran the submission; the web process did not run any task itself (no eager mode).
submitted = "Task payments.submit_outgoing_payment["
worker_log = (logs / "worker.log").read_text()
assert any(submitted in line and "succeeded" in line for line in worker_log.splitlines()), "not run by the worker"
assert "celery.app.trace" not in (logs / "gunicorn.log").read_text(), "a task ran inside gunicorn (eager)"
assert "POST /api/v1/gateways/velocitypay/webhooks/" in (logs / "gunicorn.log").read_text(), "no webhook came"
print("the worker ran", submitted + "...] and gunicorn ran no task")
EOF
alive

step "beat: a scheduled task sent and run by the worker (the every-minute ones; at most 70s after beat started)"
deadline=$(( $(date +%s) + 75 ))
until grep -q "Sending due task" "$LOGS/beat.log" \
    && grep -Eq "Task (outbox.deliver_pending_events|payments.poll_outgoing_payments)\[.*succeeded" "$LOGS/worker.log"; do
  [ "$(date +%s)" -lt "$deadline" ] || { echo "beat sent no scheduled task that the worker ran"; exit 1; }
  sleep 1
done
grep -m1 "Sending due task" "$LOGS/beat.log"
alive

echo
echo "PRODUCTION SMOKE TEST PASSED in $(( $(date +%s) - STARTED_AT ))s"
