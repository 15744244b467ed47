#!/usr/bin/env bash
# The whole suite on SQLite (the embedded mode's database), as `make test-sqlite`: every test but those marked
# postgresql_only. Needs Redis (the cache, as in the PostgreSQL run): started here if it is down. Installs the
# project and its test extra into .venv if that has not been done (make install-test).
set -euo pipefail
cd "$(dirname "$0")/.."

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if ! port_open 6379; then
  echo "starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  for _ in $(seq 1 30); do port_open 6379 && break; sleep 1; done
fi

make test-sqlite PYTEST_ARGS="${PYTEST_ARGS:-}"
