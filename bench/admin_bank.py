"""The bench bank the admin pages are measured on: 100,000 customers, 1,000,000 deposit accounts and 10,000,000
postings at ``--scale 1`` (``--scale 0.01`` builds a hundredth of it for a quick try).

    nice -n 10 .venv/bin/python bench/admin_bank.py [--scale 1]

The small things go through the services (the bank, ten branches, the chart, the products, a superuser and a
teller of branch B01); the big tables are written set-based, one ``INSERT ... SELECT generate_series`` each:

- customers, spread over the branches, with names drawn from lists of first and family names;
- their deposit accounts, ten per customer, with IBAN-style numbers (mod-97 check digits computed in SQL),
  each with its ledger account and primary holder;
- journal entries of two postings each: one cash deposit into every account (vault to account), the rest
  transfers of 1.00 to 50.00 between two accounts, over a year of business dates;
- each ledger account's stored balance, summed from its postings, so ``ledger_check`` stays clean;
- one day's interest accrual per account;
- the branch staff groups' object permissions (view and change) on their customers, accounts and ledger
  accounts, as ``grant_branch_access`` gives them one by one.

The bulk inserts run with ``session_replication_role = replica``: no trigger fires (the ledger's balanced-entry
trigger would check five million entries one by one) and no foreign key is checked; the rows are consistent by
construction, and ``ledger_check`` afterwards says so. The database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/ogpgy_adminbench) is recreated each run; the bench is then read by
``bench/admin_pages.py``. Not a test: CI does not run it.
"""

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ogpgy_adminbench")
os.environ["DATABASE_URL"] = BENCH_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")

from bench.baseline import recreate_database

BUSINESS_DATE = datetime.date(2026, 11, 23)
DAYS_OF_HISTORY = 365
BRANCHES = 10
ACCOUNTS_PER_CUSTOMER = 10
SUPERUSER = "bench.admin"
TELLER = "bench.teller"
PASSWORD = "bench-password-long-enough"  # noqa: S105  a scratch database's login
FIRST_NAMES = ["Ana", "João", "Maria", "Pedro", "Inês", "Tiago", "Sofia", "Rui", "Beatriz", "Miguel", "Marta",
               "Nuno", "Carla", "Paulo", "Rita", "Hugo", "Joana", "André", "Helena", "Diogo", "Sara", "Luís",
               "Catarina", "Bruno", "Teresa", "Filipe", "Clara", "Gonçalo", "Leonor", "Ricardo"]
FAMILY_NAMES = ["Silva", "Santos", "Ferreira", "Pereira", "Oliveira", "Costa", "Rodrigues", "Martins", "Jesus",
                "Sousa", "Fernandes", "Gonçalves", "Gomes", "Lopes", "Marques", "Alves", "Almeida", "Ribeiro",
                "Pinto", "Carvalho", "Teixeira", "Moreira", "Correia", "Mendes", "Nunes", "Soares", "Vieira",
                "Monteiro", "Cardoso", "Rocha", "Raposo", "Neves", "Coelho", "Cruz", "Cunha", "Pires", "Ramos",
                "Reis", "Simões", "Antunes"]


def sizes(scale: float) -> dict[str, int]:
    customers = max(int(100_000 * scale), 10)
    accounts = customers * ACCOUNTS_PER_CUSTOMER
    entries = max(int(5_000_000 * scale), accounts)  # two postings each; the first ``accounts`` are deposits
    return {"customers": customers, "accounts": accounts, "entries": entries}


def open_the_bank():
    """The bank, its branches, chart, products and the two staff logins, through the services."""
    from decimal import Decimal

    from apps.accounts.models import DepositProduct
    from apps.ledger.chart import install_standard_chart
    from apps.organization import roles
    from apps.organization.models import Bank, User
    from apps.organization.services import create_staff_user, open_branch

    bank = Bank.objects.create(code="BENCH", name="Bench bank", current_business_date=BUSINESS_DATE)
    branches = [open_branch(bank=bank, code=f"B{n:02d}", name=f"Bench branch {n}", is_head_office=n == 1)
                for n in range(1, BRANCHES + 1)]
    install_standard_chart(currency="EUR", branches=branches)
    products = [
        DepositProduct.objects.create(code="SAV", name="Savings", kind="savings", interest_rate=Decimal("1.5")),
        DepositProduct.objects.create(code="CUR", name="Current account", kind="current",
                                      interest_rate=Decimal("0.1"), overdraft_limit=Decimal("1000"),
                                      overdraft_rate=Decimal("12")),
    ]
    User.objects.create_superuser(username=SUPERUSER, password=PASSWORD, email="bench.admin@example.test")
    create_staff_user(username=TELLER, password=PASSWORD, role=roles.TELLER, home_branch=branches[0])
    return branches, products


def _sql_array(values: list[str]) -> str:
    return "ARRAY[" + ", ".join("'" + value.replace("'", "''") + "'" for value in values) + "]"


def _iban_digits(text: str) -> str:
    return "".join(str(int(char, 36)) for char in text)


def fill_tables(cursor, *, branches, products, counts):
    """The set-based inserts; ids are given explicitly (after the rows the services wrote) so that each table
    can name the rows of the next without a join."""
    from django.conf import settings
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    from apps.accounts.account_numbers import bank_identifier
    from apps.accounts.models import Account
    from apps.ledger.chart import vault_code
    from apps.ledger.models import LedgerAccount

    customers, accounts, entries = counts["customers"], counts["accounts"], counts["entries"]
    branch_ids = "ARRAY[" + ", ".join(str(b.pk) for b in branches) + "]::bigint[]"
    group_ids = "ARRAY[" + ", ".join(str(b.staff_group_id) for b in branches) + "]::int[]"
    vault_ids = "ARRAY[" + ", ".join(str(LedgerAccount.objects.get(code=vault_code(b.code)).pk)
                                     for b in branches) + "]::bigint[]"
    savings, current = products

    def next_id(table):
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
        return cursor.fetchone()[0]

    c0, la0, a0, e0 = (next_id(t) for t in ("customers_customer", "ledger_ledgeraccount", "accounts_account",
                                            "ledger_journalentry"))
    country = settings.ACCOUNT_NUMBER_COUNTRY
    bank_id = bank_identifier("BENCH")
    # check digits = 98 - (BBAN + country + "00", letters as numbers) mod 97; the BBAN is bank_id + serial.
    check = (f"lpad((98 - (('{_iban_digits(bank_id)}' || lpad(g::text, 12, '0') || "
             f"'{_iban_digits(country)}00')::numeric % 97))::text, 2, '0')")
    number = f"'{country}' || {check} || '{bank_id}' || lpad(g::text, 12, '0')"
    # account g (1..accounts) belongs to customer c0 + 1 + (g - 1) % customers, whose branch is
    # branches[(customer - c0 - 1) % BRANCHES]; its ledger account is la0 + g, its id a0 + g.
    account_customer = f"((g - 1) % {customers})"
    account_branch = f"({branch_ids})[({account_customer} % {BRANCHES}) + 1]"
    steps = [
        ("customers", f"""
            INSERT INTO customers_customer (id, customer_type, legal_name, email, phone, date_of_birth,
                national_id_last4, business_registration_number, tax_id, address, country, status, risk_rating,
                kyc_status, kyc_review_due, is_premium, created_at, branch_id, status_before_block)
            SELECT {c0} + g, 'individual',
                   ({_sql_array(FIRST_NAMES)})[(g % {len(FIRST_NAMES)}) + 1] || ' '
                   || ({_sql_array(FAMILY_NAMES)})[((g / {len(FIRST_NAMES)}) % {len(FAMILY_NAMES)}) + 1] || ' '
                   || ({_sql_array(FAMILY_NAMES)})[((g / 7) % {len(FAMILY_NAMES)}) + 1],
                   'customer' || g || '@bench.example', '+3519' || lpad(g::text, 8, '0'),
                   DATE '1950-01-01' + (g % 18000)::int, lpad((g % 10000)::text, 4, '0'), '', '', 'Rua ' || g,
                   'PT', 'active', 'low', 'verified', DATE '{BUSINESS_DATE}' + 365 + (g % 700)::int, false,
                   now() - (g % {DAYS_OF_HISTORY}) * interval '1 day',
                   ({branch_ids})[((g - 1) % {BRANCHES}) + 1], ''
            FROM generate_series(1::bigint, {customers}) AS g"""),
        # entries e <= accounts: a cash deposit into account e; the others a transfer between two accounts.
        ("journal entries", f"""
            INSERT INTO ledger_journalentry (id, business_date, description, reference, source, idempotency_key,
                fingerprint, posted_at)
            SELECT {e0} + e, DATE '{BUSINESS_DATE}' - ({DAYS_OF_HISTORY} - e * {DAYS_OF_HISTORY} / {entries})::int,
                   CASE WHEN e <= {accounts} THEN 'Cash deposit' ELSE 'Transfer' END, 'BENCH' || e,
                   CASE WHEN e <= {accounts} THEN 'teller' ELSE 'transfer' END, 'bench-' || e, md5(e::text),
                   TIMESTAMPTZ '{BUSINESS_DATE}' - ({DAYS_OF_HISTORY} - e * {DAYS_OF_HISTORY} / {entries})
                       * interval '1 day' + (e % 36000) * interval '1 second'
            FROM generate_series(1::bigint, {entries}) AS e"""),
        ("postings", f"""
            INSERT INTO ledger_posting (side, amount, currency, account_id, entry_id)
            SELECT side, amount, 'EUR', account_id, {e0} + e FROM (
                SELECT e, CASE WHEN e <= {accounts} THEN 1000 + e % 9000 ELSE 1 + (e % 4900) / 100.0 END
                       AS amount,
                       CASE WHEN e <= {accounts} THEN ({vault_ids})[(((e - 1) % {customers}) % {BRANCHES}) + 1]
                            ELSE {la0} + 1 + (e * 7919) % {accounts} END AS debited,
                       CASE WHEN e <= {accounts} THEN {la0} + e
                            ELSE {la0} + 1 + ((e * 7919) % {accounts} + 1 + e % ({accounts} - 1)) % {accounts}
                       END AS credited
                FROM generate_series(1::bigint, {entries}) AS e) AS entry
            CROSS JOIN LATERAL (VALUES ('D', debited), ('C', credited)) AS posting (side, account_id)
            ORDER BY e, side DESC"""),
        ("ledger accounts", f"""
            INSERT INTO ledger_ledgeraccount (id, code, name, type, currency, status, balance_tracking, balance,
                allow_overdraft, overdraft_limit, owner_id, owner_type_id, created_at, branch_id)
            SELECT {la0} + g, {number},
                   CASE WHEN g % 2 = 0 THEN 'Current account ' ELSE 'Savings ' END
                   || 'C' || ({c0} + 1 + {account_customer}),
                   'liability', 'EUR', 'open', 'stored', coalesce(totals.balance, 0),
                   g % 2 = 0, CASE WHEN g % 2 = 0 THEN 1000 END, ({a0} + g)::text,
                   {ContentType.objects.get_for_model(Account).pk}, now(), {account_branch}
            FROM generate_series(1::bigint, {accounts}) AS g
            LEFT JOIN (SELECT account_id, sum(CASE WHEN side = 'C' THEN amount ELSE -amount END) AS balance
                       FROM ledger_posting WHERE account_id > {la0} GROUP BY account_id) AS totals
                   ON totals.account_id = {la0} + g"""),
        ("house balances", f"""
            UPDATE ledger_ledgeraccount la SET balance = totals.balance
            FROM (SELECT account_id, sum(CASE WHEN side = 'D' THEN amount ELSE -amount END) AS balance
                  FROM ledger_posting WHERE account_id = ANY({vault_ids}) GROUP BY account_id) AS totals
            WHERE la.id = totals.account_id AND la.balance_tracking = 'stored'"""),
        ("accounts", f"""
            INSERT INTO accounts_account (id, number, status, status_before_freeze, opened_on,
                last_customer_activity_on, interest_residue, overdraft_interest_residue, maturity_instruction,
                created_at, branch_id, customer_id, ledger_account_id, product_id)
            SELECT {a0} + g, {number}, 'active', '', DATE '{BUSINESS_DATE}' - {DAYS_OF_HISTORY},
                   DATE '{BUSINESS_DATE}' - (g % 90)::int, 0, 0, '', now(), {account_branch},
                   {c0} + 1 + {account_customer}, {la0} + g, CASE WHEN g % 2 = 0 THEN {current.pk}
                   ELSE {savings.pk} END
            FROM generate_series(1::bigint, {accounts}) AS g"""),
        ("account holders", f"""
            INSERT INTO accounts_accountholder (role, account_id, customer_id)
            SELECT 'primary', id, customer_id FROM accounts_account WHERE id > {a0} ORDER BY id"""),
        ("interest accruals", f"""
            INSERT INTO accounts_interestaccrual (business_date, kind, balance, annual_rate, day_fraction, amount,
                account_id, product_id)
            SELECT DATE '{BUSINESS_DATE}' - 1, 'credit', la.balance, p.interest_rate, 1 / 365.0,
                   round(greatest(la.balance, 0) * p.interest_rate / 100 / 365, 12), a.id, p.id
            FROM accounts_account a JOIN ledger_ledgeraccount la ON la.id = a.ledger_account_id
            JOIN accounts_depositproduct p ON p.id = a.product_id WHERE a.id > {a0} ORDER BY a.id"""),
    ]
    for model, table, first_id in (("customers.customer", "customers_customergroupobjectpermission", c0),
                                   ("accounts.account", "accounts_accountgroupobjectpermission", a0),
                                   ("ledger.ledgeraccount", "ledger_ledgeraccountgroupobjectpermission", la0)):
        app_label, model_name = model.split(".")
        permission_ids = [Permission.objects.get(content_type__app_label=app_label,
                                                 codename=f"{action}_{model_name}").pk
                          for action in ("view", "change")]
        source = {"customers.customer": "customers_customer", "accounts.account": "accounts_account",
                  "ledger.ledgeraccount": "ledger_ledgeraccount"}[model]
        steps.append((f"{model_name} permissions", f"""
            INSERT INTO {table} (content_object_id, group_id, permission_id)
            SELECT row.id, ({group_ids})[array_position({branch_ids}, row.branch_id)], permission.id
            FROM {source} AS row CROSS JOIN unnest(ARRAY{permission_ids}::int[]) AS permission (id)
            WHERE row.id > {first_id} ORDER BY row.id"""))
    cursor.execute("SET session_replication_role = replica")
    for label, sql in steps:
        started = time.monotonic()
        cursor.execute(sql)
        print(f"  {label}: {cursor.rowcount:,} rows in {time.monotonic() - started:.1f} s", flush=True)
    cursor.execute("SET session_replication_role = DEFAULT")
    for table in ("customers_customer", "ledger_ledgeraccount", "accounts_account", "ledger_journalentry",
                  "ledger_posting", "accounts_accountholder", "accounts_interestaccrual",
                  "customers_customergroupobjectpermission", "accounts_accountgroupobjectpermission",
                  "ledger_ledgeraccountgroupobjectpermission"):
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                       f"(SELECT coalesce(max(id), 1) FROM {table}))")


def build(scale: float) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    counts = sizes(scale)
    print(f"building {BENCH_URL.rsplit('/', 1)[-1]}: {counts['customers']:,} customers, {counts['accounts']:,} "
          f"accounts, {counts['entries'] * 2:,} postings", flush=True)
    started = time.monotonic()
    call_command("migrate", verbosity=0)
    branches, products = open_the_bank()
    with transaction.atomic(), connection.cursor() as cursor:
        fill_tables(cursor, branches=branches, products=products, counts=counts)
    connection.close()
    vacuumed = time.monotonic()
    connection.ensure_connection()
    connection.connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")  # the visibility map lets counts and filters read the indexes only
    print(f"  vacuum analyze: {time.monotonic() - vacuumed:.1f} s")
    print(f"built in {time.monotonic() - started:.0f} s; logins {SUPERUSER} and {TELLER} (branch B01), "
          f"password {PASSWORD}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 100,000 customers (default)")
    options = parser.parse_args()
    recreate_database(BENCH_URL)
    build(options.scale)


if __name__ == "__main__":
    main()
