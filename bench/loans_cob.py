"""The loans' end of day for one business date over N active loans, step by step, against a bare SQL UPDATE of the
same instalment rows, on the same PostgreSQL, in one process.

    .venv/bin/python bench/loans_cob.py [--loans 1000000] [--instalments 12]

Creates, in bulk (INSERT ... SELECT generate_series), N deposit accounts with their ledger accounts, N approved
applications, N loans (one per account) of 12 monthly instalments each, their periods staggered so that about one
loan in 30 has an instalment falling due on the date; then:
(b) times ``UPDATE loans_loaninstalment SET interest_accrued = interest_accrued`` over exactly the rows the accrual
    reads (the instalments whose period has begun and whose interest is not all accrued; rolled back): the
    cheapest statement that touches them;
(a) times each loans step for the date: 250 ``accrue_loans_for_date`` (the set-based INSERT ... RETURNING and
    UPDATE, and one journal entry per product), 260 ``mark_instalments``, 270 ``collect_due_instalments`` (one
    repayment per due loan, each in its own transaction), then the accrual again (idempotent: nothing);
and prints each step's time and the ratio accrual/(b). Target: the three steps within 60 s for 1,000,000 loans.
The scratch database (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/ogpgy_bench_loans) is
recreated each run. Not a test: CI does not run it; this machine is shared and noisy, hence the ratio.
"""

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

from baseline import recreate_database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ogpgy_bench_loans")
os.environ["DATABASE_URL"] = BENCH_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")
DAY = datetime.date(2026, 11, 23)


def create_loans(count, instalments):
    from decimal import Decimal

    from django.db import connection

    from apps.accounts.models import DepositProduct
    from apps.accounts.tests.factories import install_chart
    from apps.customers.models import Customer
    from apps.loans.tests.factories import loan_product
    from apps.organization.models import Bank, User
    from apps.organization.services import open_branch

    bank, _ = Bank.objects.get_or_create(code="BENCH", defaults={"name": "Bench", "current_business_date": DAY})
    branch = open_branch(bank=bank, code="B01", name="Bench branch")
    install_chart()
    officer = User.objects.create(username="bench-officer", is_staff=True)
    customer = Customer.objects.create(customer_type="individual", legal_name="Bench Customer",
                                       email="bench@example.test", phone="+351910000000", country="PT",
                                       branch=branch, date_of_birth=datetime.date(1980, 1, 1))
    savings = DepositProduct.objects.create(code="SAV", name="Savings", kind="savings", interest_rate=Decimal("0"),
                                            day_count="act_365f")
    product = loan_product(maximum_term=84)
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("""
            INSERT INTO ledger_ledgeraccount (code, name, type, currency, status, balance_tracking, balance,
                                              allow_overdraft, owner_id, created_at, branch_id)
            SELECT 'B' || g, 'Bench account ' || g, 'liability', 'EUR', 'open', 'stored',
                   CASE WHEN g %% 7 = 0 THEN 10 ELSE 1000 END, false, '', now(), %s
            FROM generate_series(1, %s) AS g
        """, [branch.pk, count])
        cursor.execute("""
            INSERT INTO accounts_account (number, product_id, branch_id, customer_id, ledger_account_id, status,
                                          status_before_freeze, opened_on, interest_residue,
                                          overdraft_interest_residue, maturity_instruction, created_at)
            SELECT la.code, %s, %s, %s, la.id, 'active', '', %s, 0, 0, '', now()
            FROM ledger_ledgeraccount la WHERE la.code LIKE 'B%%'
        """, [savings.pk, branch.pk, customer.pk, DAY - datetime.timedelta(days=400)])
        cursor.execute("""
            INSERT INTO loans_loanapplication (customer_id, branch_id, product_id, currency, amount, term, annual_rate,
                repayment_frequency, purpose, declared_monthly_income, declared_monthly_obligations, status, channel,
                submitted_by_id, submitted_at, idempotency_key, decided_at, rejection_reasons)
            SELECT %s, %s, %s, 'EUR', 1200, %s, 9.4822, 'monthly', '', 3000, 0, 'disbursed', 'branch', %s, now(),
                   'bench-' || a.id, now(), '[]'
            FROM accounts_account a
        """, [customer.pk, branch.pk, product.pk, instalments, officer.pk])
        # Loan g started (g %% 30) days less than a month before its first period's end: one in 30 falls due today.
        cursor.execute("""
            INSERT INTO loans_loan (application_id, customer_id, branch_id, product_id, currency, deposit_account_id,
                amount, origination_fee, principal, net_disbursed, annual_rate, term, repayment_frequency,
                disbursement_date, status, disbursed_by_id, created_at)
            SELECT ap.id, %s, %s, %s, 'EUR', a.id, 1200, 0, 1200, 1200, 9.4822, %s, 'monthly',
                   (%s::date - interval '1 month' + ((a.id %% 30) || ' days')::interval)::date, 'active', %s, now()
            FROM accounts_account a JOIN loans_loanapplication ap ON ap.idempotency_key = 'bench-' || a.id
        """, [customer.pk, branch.pk, product.pk, instalments, DAY, officer.pk])
        cursor.execute("""
            INSERT INTO loans_loaninstalment (loan_id, number, period_start, period_end, due_date, principal_due,
                interest_due, fee_due, penalty_due, principal_paid, interest_paid, fee_paid, penalty_paid,
                interest_accrued, status)
            SELECT l.id, k, (l.disbursement_date + (k - 1) * interval '1 month')::date,
                   (l.disbursement_date + k * interval '1 month')::date,
                   (l.disbursement_date + k * interval '1 month')::date, 100, 9.48 - k * 0.7, 0, 0, 0, 0, 0, 0, 0,
                   'pending'
            FROM loans_loan l CROSS JOIN generate_series(1, %s) AS k
        """, [instalments])
        cursor.execute("ANALYZE")
    print(f"created {count:,} loans of {instalments} instalments in {time.monotonic() - started:.1f} s")


def _timed(function, *args, **kwargs):
    started = time.monotonic()
    result = function(*args, **kwargs)
    return result, time.monotonic() - started


def run(count, instalments):
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    create_loans(count, instalments)
    from apps.loans.services.accrual import accrue_loans_for_date
    from apps.loans.services.collection import collect_due_instalments, mark_instalments

    def bare_update():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE loans_loaninstalment SET interest_accrued = interest_accrued "
                           "WHERE interest_accrued < interest_due AND period_start < %s", [DAY])
            transaction.set_rollback(True)
            return cursor.rowcount

    updated, update_seconds = _timed(bare_update)
    accrued, accrual_seconds = _timed(accrue_loans_for_date, day=DAY)
    marked, mark_seconds = _timed(mark_instalments, DAY)
    collected, collect_seconds = _timed(collect_due_instalments, DAY)
    again, rerun_seconds = _timed(accrue_loans_for_date, day=DAY)
    total = accrual_seconds + mark_seconds + collect_seconds
    print(f"(b) bare UPDATE of the {updated:,} accruing instalments: {update_seconds:.2f} s")
    print(f"(a) 250 accrual: {accrued} in {accrual_seconds:.2f} s ({count / accrual_seconds:,.0f} loans/s)")
    print(f"    260 due/overdue: {marked} in {mark_seconds:.2f} s")
    print(f"    270 automatic debits: {collected} in {collect_seconds:.2f} s")
    print(f"    250 again: {again} in {rerun_seconds:.2f} s (idempotent)")
    per_million = total * 1_000_000 / count
    print(f"ratio accrual/(b): {accrual_seconds / update_seconds:.2f}; the three steps {total:.1f} s, "
          f"{per_million:.0f} s per 1,000,000 loans: target <= 60 s {'met' if per_million <= 60 else 'NOT met'}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loans", type=int, default=1_000_000)
    parser.add_argument("--instalments", type=int, default=12)
    options = parser.parse_args()
    recreate_database(BENCH_URL)
    run(options.loans, options.instalments)


if __name__ == "__main__":
    main()
