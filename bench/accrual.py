"""Daily interest accrual of one business date over N deposit accounts, against a bare SQL UPDATE of the same
accounts, on the same PostgreSQL, in one process.

    .venv/bin/python bench/accrual.py [--accounts 1000000]

Creates the accounts in bulk (INSERT ... SELECT generate_series: ledger accounts with random balances, deposit
accounts on three products with different day counts, one of them tiered), then:
(a) times ``accrue_interest_for_date`` for one date: the set-based INSERT ... SELECT of one accrual row per
    account, plus the aggregate journal entries, in one transaction;
(b) times ``UPDATE accounts_account SET interest_residue = interest_residue + 0.000000000001`` over the same
    accounts (rolled back), the cheapest statement that touches every account row;
and prints accounts per second and the ratio (a)/(b). Target: at most 30 s for 1,000,000 accounts.
The scratch database (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/ogpgy_bench_accrual) is
recreated each run. Not a test: CI does not run it; this machine is shared and noisy, hence the ratio.
"""

import argparse
import datetime
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ogpgy_bench_accrual")
os.environ["DATABASE_URL"] = BENCH_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")
DAY = datetime.date(2026, 11, 23)


def recreate_database():
    parsed = urlparse(BENCH_URL)
    args = ["-h", parsed.hostname or "127.0.0.1", "-p", str(parsed.port or 5432), "-U", parsed.username or "postgres"]
    name = parsed.path.lstrip("/")
    subprocess.run(["dropdb", *args, "--if-exists", "--force", name], check=True)
    subprocess.run(["createdb", *args, name], check=True)


def create_accounts(count):
    from decimal import Decimal

    from django.db import connection

    from apps.accounts.models import DepositProduct, InterestTier
    from apps.accounts.tests.factories import install_chart
    from apps.customers.models import Customer
    from apps.organization.models import Bank
    from apps.organization.services import open_branch

    bank, _ = Bank.objects.get_or_create(code="BENCH", defaults={"name": "Bench", "current_business_date": DAY})
    branch = open_branch(bank=bank, code="B01", name="Bench branch")
    install_chart()
    customer = Customer.objects.create(customer_type="individual", legal_name="Bench Customer",
                                       email="bench@example.test", phone="+351910000000", country="PT",
                                       branch=branch, date_of_birth=datetime.date(1980, 1, 1))
    products = [
        DepositProduct.objects.create(code="SAV", name="Savings", kind="savings", interest_rate=Decimal("2.5"),
                                      day_count="act_365f"),
        DepositProduct.objects.create(code="SAVT", name="Tiered", kind="savings", interest_rate=Decimal("1"),
                                      day_count="act_act_isda"),
        DepositProduct.objects.create(code="CUR", name="Current", kind="current", interest_rate=Decimal("0.1"),
                                      day_count="30_360_us", overdraft_limit=Decimal("1000"),
                                      overdraft_rate=Decimal("12")),
    ]
    InterestTier.objects.create(product=products[1], minimum_balance=Decimal("5000"), rate=Decimal("2"))
    InterestTier.objects.create(product=products[1], minimum_balance=Decimal("50000"), rate=Decimal("3"))
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("""
            INSERT INTO ledger_ledgeraccount (code, name, type, currency, status, balance_tracking, balance,
                                              allow_overdraft, overdraft_limit, owner_id, created_at, branch_id)
            SELECT 'B' || g, 'Bench account ' || g, 'liability', 'EUR', 'open', 'stored',
                   CASE WHEN g %% 3 = 2 THEN round((random() * 3000 - 500)::numeric, 2)
                        ELSE round((random() * 100000)::numeric, 2) END,
                   g %% 3 = 2, CASE WHEN g %% 3 = 2 THEN 1000 END, '', now(), %s
            FROM generate_series(1, %s) AS g
        """, [branch.pk, count])
        cursor.execute("""
            INSERT INTO accounts_account (number, product_id, branch_id, customer_id, ledger_account_id, status,
                                          status_before_freeze, opened_on, interest_residue,
                                          overdraft_interest_residue, maturity_instruction, created_at)
            SELECT la.code, (ARRAY[%s, %s, %s]::bigint[])[(substr(la.code, 2)::bigint %% 3) + 1], %s, %s, la.id,
                   'active', '', %s, 0, 0, '', now()
            FROM ledger_ledgeraccount la WHERE la.code LIKE 'B%%'
        """, [*(p.pk for p in products), branch.pk, customer.pk, DAY - datetime.timedelta(days=30)])
        cursor.execute("ANALYZE")
    print(f"created {count:,} accounts in {time.monotonic() - started:.1f} s")


def run(count):
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    create_accounts(count)
    from apps.accounts.models import InterestAccrual
    from apps.accounts.services.accrual import accrue_interest_for_date

    started = time.monotonic()
    accrued = accrue_interest_for_date(day=DAY)
    accrual_seconds = time.monotonic() - started
    rows = InterestAccrual.objects.filter(business_date=DAY).count()
    started = time.monotonic()
    again = accrue_interest_for_date(day=DAY)
    rerun_seconds = time.monotonic() - started

    started = time.monotonic()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE accounts_account SET interest_residue = interest_residue + 0.000000000001")
            updated = cursor.rowcount
        transaction.set_rollback(True)
    update_seconds = time.monotonic() - started

    print(f"(a) accrual of {DAY}: {accrued:,} accrual rows ({rows:,} in the table) in {accrual_seconds:.1f} s: "
          f"{count / accrual_seconds:,.0f} accounts/s")
    print(f"    the same date again: {again} rows in {rerun_seconds:.2f} s (idempotent)")
    print(f"(b) bare UPDATE of {updated:,} accounts: {update_seconds:.1f} s: {updated / update_seconds:,.0f} rows/s")
    print(f"ratio (a)/(b) time: {accrual_seconds / update_seconds:.2f}; target <= 30 s for 1,000,000: "
          f"{'met' if accrual_seconds * 1_000_000 / count <= 30 else 'NOT met'}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=1_000_000)
    options = parser.parse_args()
    recreate_database()
    run(options.accounts)


if __name__ == "__main__":
    main()
