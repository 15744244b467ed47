"""Ledger posting throughput against pgbench's TPC-B-like script, on the same PostgreSQL, in one process.

    .venv/bin/python bench/ledger_posting.py [--workers 8] [--accounts 1000] [--seconds 15] [--skewed]

(a) runs ``pgbench -b tpcb-like`` with ``--workers`` clients for ``--seconds`` on a scratch database;
(b) runs ``--workers`` processes posting two-leg journal entries (customer to customer plus a fee to a derived
    fee-income account) through ``post_journal_entry`` over ``--accounts`` accounts for ``--seconds``;
then prints both rates and the ratio (b)/(a). With ``--skewed`` 80% of the entries touch 10 hot accounts.
The scratch database (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/ogpgy_bench) is
recreated each run. Not a test: CI does not run it; this machine is shared and noisy, hence the ratio.
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
BENCH_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ogpgy_bench")
os.environ["DATABASE_URL"] = BENCH_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")
sys.path.insert(0, str(ROOT / "bench"))

from baseline import pgbench_tps, recreate_database


def run_postings(workers, accounts_count, seconds, skewed):
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from apps.ledger.errors import InsufficientFunds
    from apps.ledger.models import AccountType, LedgerAccount
    from apps.ledger.services import credit, debit, open_ledger_account, post_journal_entry
    from apps.money import Money
    from apps.organization.models import Bank

    Bank.objects.get_or_create(code="BENCH", defaults={"name": "Bench", "current_business_date": "2026-01-01"})
    cash = open_ledger_account(code="CASH", name="Cash", type=AccountType.ASSET, currency="EUR",
                               allow_overdraft=True, balance_tracking=LedgerAccount.BalanceTracking.DERIVED)
    fees = open_ledger_account(code="FEES", name="Fees", type=AccountType.INCOME, currency="EUR",
                               allow_overdraft=True, balance_tracking=LedgerAccount.BalanceTracking.DERIVED)
    LedgerAccount.objects.bulk_create(
        LedgerAccount(code=f"C{i:07d}", name=f"Customer {i}", type=AccountType.LIABILITY, currency="EUR")
        for i in range(accounts_count)
    )
    ids = list(LedgerAccount.objects.filter(code__startswith="C").values_list("pk", flat=True))
    for pk in ids:
        post_journal_entry(postings=[debit(cash, Money("1000000.00", "EUR")), credit(pk, Money("1000000.00", "EUR"))],
                           description="opening", source="bench", idempotency_key=f"open-{pk}")
    hot = ids[:10]
    fee = Money("0.25", "EUR")
    connection.close()  # each worker process opens its own connection
    stop = time.monotonic() + seconds + 1

    def work(index, results):
        rng = random.Random(index)
        try:
            n = 0
            while time.monotonic() < stop:
                pool = hot if skewed and rng.random() < 0.8 else ids
                payer, payee = rng.sample(pool, 2)
                amount = Money(f"{rng.randint(1, 10000) / 100:.2f}", "EUR")
                try:
                    post_journal_entry(postings=[debit(payer, amount + fee), credit(payee, amount), credit(fees, fee)],
                                       description="bench transfer", source="bench", idempotency_key=f"{index}-{n}")
                except InsufficientFunds:
                    pass
                n += 1
            results.put(n)
        finally:
            connection.close()

    # Processes, not threads: one Python process is bound by its GIL long before PostgreSQL is.
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    processes = [context.Process(target=work, args=(i, results)) for i in range(workers)]
    started = time.monotonic()
    for process in processes:
        process.start()
    counts = [results.get() for _ in processes]
    for process in processes:
        process.join()
    elapsed = time.monotonic() - started
    call_command("ledger_check", stdout=open(os.devnull, "w"))
    return sum(counts) / elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--skewed", action="store_true")
    options = parser.parse_args()
    recreate_database(BENCH_URL)
    baseline = pgbench_tps(BENCH_URL, clients=options.workers, seconds=options.seconds)
    print(f"(a) pgbench tpcb-like, {options.workers} clients: {baseline:,.0f} tps")
    rate = run_postings(options.workers, options.accounts, options.seconds, options.skewed)
    shape = "skewed (80% on 10 hot accounts)" if options.skewed else "uniform"
    print(f"(b) post_journal_entry, {options.workers} workers, {options.accounts} accounts, {shape}: "
          f"{rate:,.0f} entries/s (ledger_check clean)")
    print(f"ratio (b)/(a): {rate / baseline:.2f}")


if __name__ == "__main__":
    main()
