"""Every admin list, search, filter, deep page and detail page on the bench bank, as the superuser and as a teller
of branch B01, with server time and query count; prints the slowest pages.

    .venv/bin/python bench/admin_pages.py [--top 25] [--runs 3]

Reads the bank ``bench/admin_bank.py`` built (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/ogpgy_adminbench); writes nothing to it but sessions. Pages are fetched with
Django's test client in this process: the time is the server's (URL resolving, middleware, queries, template),
without a network or a browser. Each page is fetched once to warm up, then ``--runs`` times; the median counts.

The baseline, measured in the same process on the same database: one account read by its primary key
(``SELECT ... FROM accounts_account WHERE id = %s``), the cheapest indexed query there is. Each page is printed
in milliseconds and as a ratio to that baseline (this machine is shared and noisy; the ratio moves less).
Target: every page under 300 ms, and a list's query count the same at 5 and at 100 rows a page.
Not a test: CI does not run it.
"""

import argparse
import datetime
import logging
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL",
                                            "postgres://postgres@127.0.0.1:5432/ogpgy_adminbench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")

TARGET_MS = 300.0
# Not a list but a report over the whole ledger: the ledger check recomputes every balance from every posting
# (minutes on ten million postings, like ``manage.py ledger_check``); it is left out.
REPORTS = {"ledger.LedgerCheck"}
SUPERUSER, TELLER = "bench.admin", "bench.teller"


def baseline_ms(runs: int = 300) -> float:
    """The median time of reading one account by its primary key, through the same connection."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM accounts_account")
        low, high = cursor.fetchone()
        times = []
        for n in range(runs):
            started = time.perf_counter()
            cursor.execute("SELECT id, number, status, ledger_account_id FROM accounts_account WHERE id = %s",
                           [low + (n * 7919) % (high - low + 1)])
            cursor.fetchone()
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def sample_rows():
    """Real rows of the bench bank to search for and open: the teller's branch's, so both users find them."""
    from apps.accounts.models import Account, InterestAccrual
    from apps.ledger.models import JournalEntry, Posting
    from apps.organization.models import User

    teller = User.objects.get(username=TELLER)
    account = (Account.objects.filter(branch=teller.home_branch).select_related("customer", "ledger_account")
               .order_by("id")[100:101].get())
    entry = JournalEntry.objects.filter(postings__account=account.ledger_account).order_by("-id").first()
    return {
        "account": account, "customer": account.customer, "entry": entry,
        "posting": Posting.objects.filter(account=account.ledger_account).order_by("-id").first(),
        "accrual": InterestAccrual.objects.filter(account=account).first(),
        "family_name": account.customer.legal_name.split()[-1],
        "full_name": account.customer.legal_name,
    }


def pages(rows) -> list[tuple[str, str]]:
    """(label, URL) of every changelist, then the searches, filters, deep pages and detail pages."""
    from django.contrib import admin
    from django.urls import reverse

    urls = []
    for model in sorted(admin.site._registry, key=lambda m: (m._meta.app_label, m._meta.model_name)):
        opts = model._meta
        if opts.label in REPORTS:
            continue
        urls.append((f"list {opts.model_name}",
                     reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")))
    account, customer = rows["account"], rows["customer"]
    one_day = datetime.timedelta(days=1)
    accounts = reverse("admin:accounts_account_changelist")
    customers = reverse("admin:customers_customer_changelist")
    ledger_accounts = reverse("admin:ledger_ledgeraccount_changelist")
    entries = reverse("admin:ledger_journalentry_changelist")
    postings = reverse("admin:ledger_posting_changelist")
    accruals = reverse("admin:accounts_interestaccrual_changelist")
    urls += [
        ("search accounts: IBAN", f"{accounts}?q={account.number}"),
        ("search accounts: IBAN in groups", f"{accounts}?q=" + "+".join(
            account.number[i:i + 4] for i in range(0, len(account.number), 4))),
        ("search accounts: number prefix", f"{accounts}?q={account.number[:14]}"),
        ("search accounts: customer name", f"{accounts}?q={rows['family_name']}"),
        ("search accounts: customer number", f"{accounts}?q={customer.pk}"),
        ("search accounts: no match", f"{accounts}?q=Nobody+Atall"),
        ("search customers: customer number", f"{customers}?q={customer.pk}"),
        ("search customers: name", f"{customers}?q={rows['family_name']}"),
        ("search customers: full name", f"{customers}?q={rows['full_name'].replace(' ', '+')}"),
        ("search customers: IBAN", f"{customers}?q={account.number}"),
        ("search customers: email", f"{customers}?q={customer.email}"),
        ("search ledger accounts: code", f"{ledger_accounts}?q={account.number}"),
        ("search ledger accounts: name", f"{ledger_accounts}?q=Savings"),
        ("search journal entries: reference", f"{entries}?q={rows['entry'].reference}"),
        ("search journal entries: id", f"{entries}?q={rows['entry'].pk}"),
        ("search postings: account", f"{postings}?q={account.number}"),
        ("search accruals: account", f"{accruals}?q={account.number}"),
        ("accounts page 500", f"{accounts}?p=500"),
        ("accounts page 500 (0-based)", f"{accounts}?p=499"),
        ("customers page 500", f"{customers}?p=500"),
        ("postings page 500", f"{postings}?p=500"),
        ("journal entries page 500", f"{entries}?p=500"),
        ("filter accounts: active", f"{accounts}?status__exact=active"),
        ("filter accounts: product", f"{accounts}?product__id__exact={account.product_id}"),
        ("filter accounts: branch", f"{accounts}?branch__id__exact={account.branch_id}"),
        ("filter accounts: frozen (none)", f"{accounts}?status__exact=frozen"),
        ("filter customers: verified", f"{customers}?kyc_status__exact=verified"),
        ("filter customers: branch", f"{customers}?branch__id__exact={customer.branch_id}"),
        ("filter ledger accounts: EUR", f"{ledger_accounts}?currency=EUR"),
        ("filter postings: EUR", f"{postings}?currency=EUR"),
        ("filter postings: debit", f"{postings}?side__exact=D"),
        ("filter journal entries: transfer", f"{entries}?source__exact=transfer"),
        ("filter journal entries: a date", f"{entries}?business_date__gte={rows['entry'].business_date}"
                                           f"&business_date__lt={rows['entry'].business_date + one_day}"),
        ("filter accruals: kind", f"{accruals}?kind__exact=credit"),
        ("sort accounts by balance", f"{accounts}?o=5"),
        ("detail account", reverse("admin:accounts_account_change", args=[account.pk])),
        ("detail account history", reverse("admin:accounts_account_history", args=[account.pk])),
        ("detail customer", reverse("admin:customers_customer_change", args=[customer.pk])),
        ("detail ledger account", reverse("admin:ledger_ledgeraccount_change", args=[account.ledger_account_id])),
        ("detail journal entry", reverse("admin:ledger_journalentry_change", args=[rows["entry"].pk])),
        ("detail posting", reverse("admin:ledger_posting_change", args=[rows["posting"].pk])),
        ("detail accrual", reverse("admin:accounts_interestaccrual_change", args=[rows["accrual"].pk])),
    ]
    return urls


def measure(client, url: str, runs: int) -> tuple[int, float, int, float]:
    """(status, median ms, queries of the last run, their database ms); a page whose query passes the
    statement timeout is status 0, at the time it took."""
    from django.db import OperationalError, connection
    from django.test.utils import CaptureQueriesContext

    started = time.perf_counter()
    try:
        status = client.get(url).status_code  # warm: templates, caches, the session
    except OperationalError:  # the statement timeout: not worth running again
        return 0, (time.perf_counter() - started) * 1000, 0, 0.0
    times, queries, database_ms = [], 0, 0.0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        status, queries = response.status_code, len(captured.captured_queries)
        database_ms = sum(float(query["time"]) for query in captured.captured_queries) * 1000
    return status, statistics.median(times), queries, database_ms


def list_queries_by_page_size(client, url: str, model_admin) -> tuple[int, int]:
    """The query count of a list at 5 and at 100 rows a page (the admin's ``list_per_page``)."""
    counts = []
    saved = model_admin.list_per_page
    try:
        for size in (5, 100):
            model_admin.list_per_page = size
            counts.append(measure(client, url, 1)[2])
    finally:
        model_admin.list_per_page = saved
    return counts[0], counts[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--top", type=int, default=25, help="how many of the slowest pages to print")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="", help="only the pages whose label contains this")
    parser.add_argument("--statement-timeout", type=int, default=10_000,
                        help="ms a query may take before the page is given up (status 0)")
    parser.add_argument("--skip-size-check", action="store_true",
                        help="do not compare each list's query count at 5 and 100 rows")
    options = parser.parse_args()
    import django

    django.setup()
    logging.getLogger("django.request").setLevel(logging.CRITICAL)  # a teller's 403s are expected, not news
    from django.contrib import admin
    from django.test import Client

    from apps.organization.models import User

    lists = {f"list {model._meta.model_name}": model_admin for model, model_admin in admin.site._registry.items()}
    from django.db.backends.signals import connection_created

    def give_up_slow_queries(sender, connection, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute(f"SET statement_timeout = {int(options.statement_timeout)}")

    connection_created.connect(give_up_slow_queries)  # every request's connection, as they are closed after
    base = baseline_ms()
    rows = sample_rows()
    results = []
    growing = []
    for username in (SUPERUSER, TELLER):
        client = Client()
        client.force_login(User.objects.get(username=username))
        for label, url in pages(rows):
            if options.only and options.only not in label:
                continue
            status, ms, queries, database_ms = measure(client, url, options.runs)
            results.append((ms, queries, status, username, label, url, database_ms))
            print(f"  {ms:8.1f} ms {queries:3d} queries {status:3d}  {username:<13} {label}", file=sys.stderr,
                  flush=True)
            if label.startswith("list ") and status == 200 and not options.skip_size_check:
                small, large = list_queries_by_page_size(client, url, lists[label])
                if large != small:
                    growing.append((username, label, small, large))
    results.sort(reverse=True)
    print(f"baseline: one account by primary key, median {base:.3f} ms")
    print(f"{'ms':>8} {'ratio':>8} {'db ms':>8} {'queries':>7} {'status':>6}  {'user':<13} page")
    for ms, queries, status, username, label, url, database_ms in results[:options.top]:
        print(f"{ms:8.1f} {ms / base:8.0f} {database_ms:8.1f} {queries:7d} {status:6d}  {username:<13} {label}  {url}")
    served = [r for r in results if r[2] == 200]
    over = [r for r in served if r[0] > TARGET_MS]
    print(f"{len(results)} pages ({len(served)} answered 200); {len(over)} over {TARGET_MS:.0f} ms; "
          f"slowest {results[0][0]:.0f} ms, median {statistics.median(r[0] for r in results):.0f} ms")
    if options.skip_size_check:
        pass
    elif growing:
        for username, label, small, large in growing:
            print(f"query count grows with the page size: {username} {label}: {small} at 5 rows, {large} at 100")
    else:
        print("no list's query count grows with the page size (5 vs 100 rows)")


if __name__ == "__main__":
    main()
