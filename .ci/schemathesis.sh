#!/usr/bin/env bash
# Property-based API test: schemathesis against /api/schema/, once with a customer's token and once with a staff
# member's, on a fresh PostgreSQL database seeded with the demo bank. Fails on any 5xx or any response that does
# not match the schema. Bounded: SCHEMATHESIS_MAX_TIME seconds per run (default 45), the whole script well
# under 4 minutes on an idle machine.
#
#   bash .ci/schemathesis.sh
#
# Environment (all optional): SCHEMATHESIS_PG (server URL, default postgres://postgres@127.0.0.1:5432),
# SCHEMATHESIS_DB (default ogpgy_schemathesis, dropped and created), SCHEMATHESIS_MAX_TIME, SCHEMATHESIS_SEED,
# REDIS_URL (default redis://127.0.0.1:6379/0). PostgreSQL and Redis must be running (.ci/run starts them).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)

PG=${SCHEMATHESIS_PG:-postgres://postgres@127.0.0.1:5432}
DB=${SCHEMATHESIS_DB:-ogpgy_schemathesis}
MAX_TIME=${SCHEMATHESIS_MAX_TIME:-45}
SEED=${SCHEMATHESIS_SEED:-20261201}

make -s install-test  # the project's .venv with the test extra (schemathesis is pinned there); again only if
                      # pyproject.toml changed
PY=.venv/bin/python

export DATABASE_URL="$PG/$DB"
export DJANGO_SETTINGS_MODULE=config.test_settings
export DEMO_DATA_ALLOWED=1
export CACHE_KEY_PREFIX=ogpgy-schemathesis
export VELOCITYPAY_BASE_URL=http://127.0.0.1:9   # no gateway: submissions fail fast and stay retryable
export EMAIL_BACKEND=django.core.mail.backends.locmem.EmailBackend

echo "== fresh database $DB"
"$PY" - "$PG" "$DB" <<'PYTHON'
import sys

import psycopg

server, name = sys.argv[1], sys.argv[2]
with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
    connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    connection.execute(f'CREATE DATABASE "{name}"')
PYTHON
seed_log=$(mktemp)
"$PY" manage.py migrate -v0
"$PY" manage.py seed_demo > "$seed_log" 2>&1 || { tail -n 40 "$seed_log"; exit 1; }
# Tokens: apps/organization/management/commands/issue_api_token.py (issue_token is the one place to adapt).
customer_token=$("$PY" manage.py issue_api_token ana.sousa)
staff_token=$("$PY" manage.py issue_api_token manager.lis01)

port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log=$(mktemp)
echo "== server on 127.0.0.1:$port (log $log)"
.venv/bin/gunicorn config.wsgi -w 2 -b "127.0.0.1:$port" --timeout 60 > "$log" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  if curl_ok=$("$PY" - "$port" 2>/dev/null <<'PYTHON'
import sys
import urllib.error
import urllib.request

try:
    urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/api/schema/", timeout=2)
except urllib.error.HTTPError:
    pass  # answering (401 without a token) is all we wait for
PYTHON
  ); then
    break
  fi
  sleep 1
done

status=0
for who in customer staff; do
  token_var="${who}_token"
  echo "== schemathesis as $who (at most ${MAX_TIME}s)"
  .venv/bin/schemathesis run "http://127.0.0.1:$port/api/schema/" \
    --header "Authorization: Token ${!token_var}" \
    --checks not_a_server_error,response_schema_conformance \
    --max-examples 10 --max-time "$MAX_TIME" --workers 1 --seed "$SEED" --no-shrink \
    --suppress-health-check all --output-truncate true \
    --exclude-path-regex '/auth/(logout|tokens/.)' || status=$?  # these would revoke the run's own token
done

if [ "$status" -ne 0 ]; then
  echo "== server log (last 80 lines)"
  tail -n 80 "$log"
fi
echo "== schemathesis.sh finished in $(( $(date +%s) - started ))s with status $status"
exit "$status"
