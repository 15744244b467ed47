"""POST /api/v1/transfers/ over HTTP: gunicorn with production settings on loopback, driven by wrk.

    .venv/bin/python bench/http_transfers.py [--customers 200] [--connections 16] [--seconds 15] [--workers 4]

Sets up a scratch database (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/ogpgy_bench_http)
with ``--customers`` verified customers, each with a funded account and an API token; starts gunicorn
(``--workers`` processes, DEBUG=0) on 127.0.0.1:8811; runs ``wrk`` (Debian package ``wrk``) with a Lua script in
which every connection is one customer paying random other customers, each request with its own
Idempotency-Key; prints requests per second, p50/p95/p99 latency and the count of non-201 answers; then stops
gunicorn, runs pgbench's TPC-B-like script with as many clients on the same database for a ratio, and runs
``ledger_check``. Target on a 2-core machine: >= 500 transfers/s with p95 < 100 ms.
Traffic stays on 127.0.0.1 and stops after ``--seconds``. CI does not run it.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
BENCH_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ogpgy_bench_http")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
PORT = 8811
SERVER_ENV = {
    "DEBUG": "0", "SECRET_KEY": "bench-only-secret-key-" + "b" * 40, "DATABASE_URL": BENCH_URL,
    "REDIS_URL": REDIS_URL, "CELERY_BROKER_URL": REDIS_URL, "CELERY_TASK_ALWAYS_EAGER": "1",
    "ALLOWED_HOSTS": "127.0.0.1,localhost", "SECURE_SSL_REDIRECT": "0", "OGPGY_READ_DOT_ENV": "0",
    "THROTTLE_USER": "1000000/minute", "THROTTLE_ANON": "1000000/minute", "LOG_LEVEL": "WARNING",
    "CACHE_KEY_PREFIX": "ogpgy-bench-http",
    # money.moved as production delivers it (batched by the beat's drain), not eagerly inside each request
    "OUTBOX_BATCHED_EVENT_TYPES": "money.moved",
}
os.environ.update({key: value for key, value in SERVER_ENV.items() if key != "DEBUG"})
os.environ["DATABASE_URL"] = BENCH_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")

from baseline import pgbench_tps, recreate_database
from bench_bank import open_bench_bank, open_funded_customer_account

LUA = r"""
local customers = {CUSTOMERS}
local counter = 0
local me = nil
local thread_id = 0
local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(tonumber(tid) * 7919 + os.time())
end

request = function()
  if me == nil then
    me = customers[math.random(#customers)]
  end
  counter = counter + 1
  local payee = customers[math.random(#customers)]
  while payee.account == me.account do payee = customers[math.random(#customers)] end
  local body = string.format('{"from_account":"%s","to_account":"%s","amount":"%d.%02d","currency":"EUR"}',
    me.account, payee.account, math.random(1, 50), math.random(0, 99))
  local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Token " .. me.token,
                   ["Idempotency-Key"] = string.format("wrk-%s-%d-%d", tid, counter, math.random(1, 1000000000))}
  return wrk.format("POST", "/api/v1/transfers/", headers, body)
end

local bad = 0
response = function(status, headers, body)
  if status ~= 201 then bad = bad + 1 end
end

done = function(summary, latency, requests)
  io.write(string.format("RESULT rps=%.1f p50=%.1f p95=%.1f p99=%.1f requests=%d errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, summary.requests, summary.errors.status + summary.errors.connect
      + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def set_up(customers_count: int) -> list[dict]:
    branch, teller, product = open_bench_bank()
    from apps.organization.api_tokens import issue_api_token
    from apps.organization.models import User

    customers = []
    for i in range(customers_count):
        user = User.objects.create_user(username=f"bench.customer{i}")
        account = open_funded_customer_account(i, branch=branch, teller=teller, product=product, user=user)
        customers.append({"account": account.number, "token": issue_api_token(user=user)[1]})
    from django.db import connection

    connection.close()
    return customers


def start_gunicorn(workers: int) -> subprocess.Popen:
    env = {**os.environ, **SERVER_ENV}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{PORT}",
         "--workers", str(workers), "--worker-class", "sync", "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )
    for _ in range(100):
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1).status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not come up")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--workers", type=int, default=4)
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    recreate_database(BENCH_URL)
    customers = set_up(options.customers)
    script = LUA.replace("{CUSTOMERS}", "{" + ",".join(
        f'{{account="{c["account"]}",token="{c["token"]}"}}' for c in customers) + "}")
    server = start_gunicorn(options.workers)
    try:
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
            lua.write(script)
        out = subprocess.run(["wrk", "-t2", f"-c{options.connections}", f"-d{options.seconds}s", "--timeout", "5s",
                              "-s", lua.name, f"http://127.0.0.1:{PORT}"], capture_output=True, text=True,
                             check=True).stdout
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    result = dict(re.findall(r"(\w+)=([\d.]+)", out.split("RESULT", 1)[1]))
    print(f"gunicorn {options.workers} sync workers, wrk {options.connections} connections, {options.seconds} s, "
          f"{options.customers} customers")
    print(f"{float(result['rps']):,.0f} transfers/s; latency p50 {result['p50']} ms, p95 {result['p95']} ms, "
          f"p99 {result['p99']} ms; {result['requests']} requests, {result['errors']} not 201")
    # This machine is shared and noisy: the same PostgreSQL's pgbench figure, measured right after, gives a ratio.
    baseline = pgbench_tps(BENCH_URL, clients=options.connections, seconds=options.seconds)
    print(f"pgbench tpcb-like, {options.connections} clients: {baseline:,.0f} tps; "
          f"ratio transfers/s to it = {float(result['rps']) / baseline:.3f}")
    from django.core.management import call_command

    with open(os.devnull, "w") as quiet:
        call_command("ledger_check", stdout=quiet)
    print("ledger_check: clean")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
