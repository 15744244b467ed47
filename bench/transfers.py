"""Internal transfer throughput through the transfer service, against pgbench's TPC-B-like script on the same
PostgreSQL, in one process.

    .venv/bin/python bench/transfers.py [--workers 8] [--accounts 400] [--seconds 15]

(a) ``pgbench -b tpcb-like`` with ``--workers`` clients for ``--seconds``;
(b) ``--workers`` processes calling ``transfer_between_accounts`` (a fee on every transfer, KYC gate, limits,
    available balance, one journal entry each) over ``--accounts`` funded accounts for ``--seconds``: once with
    payer and payee drawn uniformly, once skewed (80% of transfers touch 10 hot accounts);
then prints transfers per second for each and the ratio (b)/(a). Target: ratio >= 0.5 with 8 workers.
Each run ends with ``ledger_check``. The scratch database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/ogpgy_bench_transfers) is recreated each run. CI does not run it.
"""

import argparse
import multiprocessing
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
BENCH_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ogpgy_bench_transfers")
os.environ["DATABASE_URL"] = BENCH_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")
os.environ.setdefault("CACHE_KEY_PREFIX", "ogpgy-bench")
# money.moved as production delivers it (batched, by the beat's drain, outside the transfer): with eager Celery the
# suite's settings would run monitoring in each transfer's commit
os.environ.setdefault("OUTBOX_BATCHED_EVENT_TYPES", "money.moved")
os.environ.setdefault("LOG_LEVEL", "WARNING")  # the set-up's eager Celery tasks log every call at INFO

from baseline import pgbench_tps, recreate_database
from bench_bank import open_bench_bank, open_funded_customer_account
from transfer_ceiling import (
    bank_layout,
    create_one_call_function,
    one_call_script,
    pgbench_script_tps,
    service_statements_script,
)


def set_up_bank(accounts_count: int) -> list[str]:
    branch, teller, product = open_bench_bank()
    numbers = []
    started = time.monotonic()
    for i in range(accounts_count):
        account = open_funded_customer_account(i, branch=branch, teller=teller, product=product)
        numbers.append(account.number)
    print(f"set-up: {accounts_count} verified customers with funded accounts in {time.monotonic() - started:.0f} s")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would have on a live database; the planner needs row counts
    return numbers


def _worker(index, numbers, hot, skewed, stop_at, results):
    from django.db import connection

    from apps.domain_errors import DomainError
    from apps.money import Money
    from apps.organization.models import User
    from apps.payments.models import Channel
    from apps.payments.services.transfers import transfer_between_accounts

    rng = random.Random(index)
    initiator = User.objects.get(username="bench.teller")
    done = refused = 0
    while time.monotonic() < stop_at:
        pool = hot if skewed and rng.random() < 0.8 else numbers
        payer, payee = rng.sample(pool, 2)
        try:
            transfer_between_accounts(
                from_account_number=payer, to_account_number=payee,
                money=Money(f"{rng.randint(100, 20000) / 100:.2f}", "EUR"), channel=Channel.API,
                initiated_by=initiator, idempotency_key=f"bench-{skewed}-{index}-{done + refused}",
            )
            done += 1
        except DomainError:
            refused += 1
    connection.close()
    results.put((done, refused))


def run_transfers(numbers, workers, seconds, skewed):
    from django.db import connection

    connection.close()
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    start_at = time.monotonic() + 0.5
    stop_at = start_at + seconds
    processes = [context.Process(target=_worker, args=(i, numbers, numbers[:10], skewed, stop_at, results))
                 for i in range(workers)]
    for process in processes:
        process.start()
    outcomes = [results.get() for _ in processes]
    for process in processes:
        process.join()
    done = sum(d for d, _ in outcomes)
    return done / seconds, sum(r for _, r in outcomes)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--accounts", type=int, default=400)
    parser.add_argument("--seconds", type=int, default=15)
    options = parser.parse_args()
    recreate_database(BENCH_URL)
    numbers = set_up_bank(options.accounts)
    baseline = pgbench_tps(BENCH_URL, clients=options.workers, seconds=options.seconds)
    print(f"(a) pgbench tpcb-like, {options.workers} clients, {options.seconds} s: {baseline:,.0f} tps")
    for skewed in (False, True):
        rate, refused = run_transfers(numbers, options.workers, options.seconds, skewed)
        shape = "skewed (80% on 10 hot accounts)" if skewed else "uniform"
        print(f"(b) transfer service, {options.workers} workers, {options.accounts} accounts, {shape}: "
              f"{rate:,.0f} transfers/s ({refused} refused); ratio (b)/(a) = {rate / baseline:.2f}")
    # The ceiling: the same transfers with no Python at all (bench/transfer_ceiling.py).
    layout = bank_layout()
    create_one_call_function(BENCH_URL)
    for label, script in (("the service's statements from pgbench", service_statements_script(layout)),
                          ("the same reads and writes in one PL/pgSQL call", one_call_script(layout))):
        rate = pgbench_script_tps(BENCH_URL, script, clients=options.workers, seconds=options.seconds)
        print(f"(c) no Python, {label}, {options.workers} clients, uniform: {rate:,.0f} transfers/s; "
              f"ratio to (a) = {rate / baseline:.2f}")
    from django.core.management import call_command

    call_command("ledger_check", stdout=open(os.devnull, "w"))
    print("ledger_check: clean")


if __name__ == "__main__":
    main()
