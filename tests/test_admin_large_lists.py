"""The admin's lists of big tables: a page costs the same queries at 5 rows as at 50, the count comes from the
planner on PostgreSQL and is exact on SQLite, and searches find by exact number, prefix, customer number and
name on both databases (config/admin_paginator.py, config/admin_search.py)."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.models import Account, InterestAccrual
from apps.accounts.tests.factories import install_chart, open_funded_account, savings_product
from apps.customers.models import Customer
from apps.customers.tests.factories import verified_customer
from apps.ledger.models import JournalEntry, LedgerAccount, Posting
from apps.ledger.selectors import (
    currencies_in_use,
    currencies_in_use_postgresql,
    currencies_in_use_sqlite,
    entry_sources,
    entry_sources_postgresql,
    entry_sources_sqlite,
)
from apps.ledger.tests.factories import ledger_account
from apps.organization.models import User
from config import admin_paginator
from config.admin_paginator import EstimatedCountPaginator, planner_row_estimate_postgresql
from config.admin_search import row_number, starting_with

pytestmark = pytest.mark.django_db

BIG_LISTS = [Account, Customer, LedgerAccount, JournalEntry, Posting, InterestAccrual]


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


def _open_accounts(branch, teller, count):
    install_chart()
    product = savings_product()
    return [open_funded_account(verified_customer(branch=branch, legal_name=f"Holder {n:02d} Raposo"), product,
                                "25.00", teller=teller) for n in range(count)]


@pytest.fixture
def accounts_of_branch_a(branch_a, teller_a):
    return _open_accounts(branch_a, teller_a, 8)


@pytest.fixture
def fifty_accounts_of_branch_a(branch_a, teller_a):
    return _open_accounts(branch_a, teller_a, 50)


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(username="root", password="a-long-enough-password", email="r@example.test")


def test_a_big_list_costs_the_same_queries_at_5_rows_as_at_50(fifty_accounts_of_branch_a, teller_a, superuser,
                                                               monkeypatch):
    for user in (superuser, teller_a):
        client = _client(user)
        for model in BIG_LISTS:
            url = _changelist(model)
            client.get(url)  # warm the session and the user's permission cache
            model_admin = admin.site._registry[model]
            monkeypatch.setattr(model_admin, "list_per_page", 5)
            at_five = _queries(client, url)
            monkeypatch.setattr(model_admin, "list_per_page", 50)
            at_fifty = _queries(client, url)
            assert at_five == at_fifty, (user.username, model.__name__, at_five, at_fifty)


def test_a_small_list_is_counted_exactly_on_either_database(accounts_of_branch_a):
    paginator = EstimatedCountPaginator(Account.objects.order_by("pk"), 3)
    assert paginator.count == 8
    assert paginator.num_pages == 3
    assert not paginator.count_is_estimate


def test_the_list_says_how_many_rows_it_counted(accounts_of_branch_a, teller_a):
    page = _client(teller_a).get(_changelist(Account)).content.decode()
    assert "8 accounts" in page
    assert "about 8" not in page


@pytest.mark.postgresql_only(reason="the planner's row estimate is PostgreSQL's (EXPLAIN)")
def test_a_big_list_shows_the_planners_estimate_on_postgresql(accounts_of_branch_a, superuser, monkeypatch):
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_account")
    monkeypatch.setattr(admin_paginator, "EXACT_COUNT_UP_TO", 5)
    paginator = EstimatedCountPaginator(Account.objects.order_by("pk"), 5)
    assert paginator.count == planner_row_estimate_postgresql(Account.objects.all()) == 8
    assert paginator.count_is_estimate
    assert "about 8 accounts" in _client(superuser).get(_changelist(Account)).content.decode()


@pytest.mark.postgresql_only(reason="the planner's row estimate is PostgreSQL's (EXPLAIN)")
def test_a_count_that_passes_the_cap_says_more_than_it_counted(accounts_of_branch_a, monkeypatch):
    monkeypatch.setattr(admin_paginator, "EXACT_COUNT_UP_TO", 5)
    monkeypatch.setitem(admin_paginator.PLANNER_ROW_ESTIMATES, "postgresql", lambda queryset: 3)  # a wrong guess
    paginator = EstimatedCountPaginator(Account.objects.order_by("pk"), 5)
    assert paginator.count == 6
    assert paginator.count_is_estimate


def test_an_empty_list_counts_nothing(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert EstimatedCountPaginator(Account.objects.none(), 5).count == 0


def _found(client, model, term):
    return client.get(_changelist(model), {"q": term}).content.decode()


def test_the_account_search_finds_by_number_prefix_customer_number_and_name(accounts_of_branch_a, teller_a):
    client = _client(teller_a)
    account, other = accounts_of_branch_a[0], accounts_of_branch_a[1]
    spaced = " ".join(account.number[i:i + 4] for i in range(0, len(account.number), 4))
    for term in (account.number, spaced.lower()):
        page = _found(client, Account, term)
        assert account.number in page and other.number not in page, term
    prefix = account.number[:-1]  # the last digit differs between neighbours
    assert account.number in _found(client, Account, prefix)
    assert other.number not in _found(client, Account, account.number[:-2] + "X")
    page = _found(client, Account, str(account.customer_id))
    assert account.number in page and other.number not in page
    page = _found(client, Account, "holder 00 rap")  # any part of the name, in any case
    assert account.number in page and other.number not in page
    assert "8 accounts" in _found(client, Account, "raposo")


def test_the_account_search_stays_in_the_tellers_branch(accounts_of_branch_a, teller_b):
    account = accounts_of_branch_a[0]
    for term in (account.number, account.number[:10], str(account.customer_id), "Raposo"):
        page = _found(_client(teller_b), Account, term)
        assert f"/admin/accounts/account/{account.pk}/change/" not in page and "0 accounts" in page, term


def test_the_customer_search_finds_by_number_account_number_email_phone_and_name(accounts_of_branch_a, teller_a):
    client = _client(teller_a)
    account = accounts_of_branch_a[3]
    customer = account.customer
    for term in (str(customer.pk), account.number, customer.email.upper(), customer.phone, "HOLDER 03"):
        page = _found(client, Customer, term)
        assert "Holder 03 Raposo" in page and "Holder 04 Raposo" not in page, term


def test_the_ledger_searches_find_by_code_prefix_name_entry_and_reference(accounts_of_branch_a, teller_a):
    client = _client(teller_a)
    account = accounts_of_branch_a[5]
    assert account.number in _found(client, LedgerAccount, account.number[:-1])
    assert account.number in _found(client, LedgerAccount, "holder 05")
    assert accounts_of_branch_a[6].number not in _found(client, LedgerAccount, "holder 05")
    entry = JournalEntry.objects.filter(postings__account=account.ledger_account).get()
    assert f"/admin/ledger/journalentry/{entry.pk}/change/" in _found(client, JournalEntry, f"JE{entry.pk}")
    if entry.reference:
        assert f"/admin/ledger/journalentry/{entry.pk}/change/" in _found(client, JournalEntry, entry.reference)
    posting = Posting.objects.get(account=account.ledger_account)
    assert f"/admin/ledger/posting/{posting.pk}/change/" in _found(client, Posting, account.number)
    assert f"/admin/ledger/posting/{posting.pk}/change/" in _found(client, Posting, str(entry.pk))


def test_starting_with_is_a_prefix_match_read_as_an_index_range(accounts_of_branch_a):
    numbers = sorted(a.number for a in accounts_of_branch_a)
    prefix = numbers[0][:-1]
    expected = [n for n in numbers if n.startswith(prefix)]
    found = list(Account.objects.filter(starting_with("number", prefix)).order_by("number")
                 .values_list("number", flat=True))
    assert found == expected
    sql = str(Account.objects.filter(starting_with("number", "PT9Z")).query)
    assert ">= PT9Z" in sql and "< PTA" in sql  # Z carries: the range ends before PTA
    assert "<" not in str(Account.objects.filter(starting_with("number", "ZZ")).query).split("WHERE")[1]


def test_a_row_number_is_digits_with_or_without_its_mark():
    assert [row_number(t) for t in ("123", " #123 ", "je123", "JE 123", "12a")] == [123, 123, 123, None, None]


def test_the_currency_filters_offer_the_currencies_in_use_on_either_database(db):
    ledger_account(currency="USD")
    ledger_account(currency="EUR")
    ledger_account(currency="EUR")
    assert currencies_in_use() == ["EUR", "USD"]


@pytest.mark.postgresql_only(reason="the loose index scan is PostgreSQL's SQL")
def test_the_postgresql_currency_scan_jumps_from_currency_to_currency(db):
    for currency in ("USD", "EUR", "CHF", "EUR"):
        ledger_account(currency=currency)
    assert currencies_in_use_postgresql() == currencies_in_use_sqlite() == ["CHF", "EUR", "USD"]


def test_the_accounts_list_filters_by_the_products_currency(accounts_of_branch_a, teller_a):
    page = _client(teller_a).get(_changelist(Account), {"product__currency": "EUR"}).content.decode()
    assert "8 accounts" in page
    assert "0 accounts" in _client(teller_a).get(_changelist(Account), {"product__currency": "USD"}).content.decode()


def test_the_journal_filters_by_the_sources_that_have_posted(accounts_of_branch_a, superuser):
    sources = sorted(set(JournalEntry.objects.values_list("source", flat=True)))
    assert entry_sources() == sources
    page = _client(superuser).get(_changelist(JournalEntry), {"source__exact": sources[0]}).content.decode()
    assert f"{JournalEntry.objects.filter(source=sources[0]).count()} journal entries" in page


@pytest.mark.postgresql_only(reason="the loose index scan is PostgreSQL's SQL")
def test_the_postgresql_source_scan_finds_every_source(accounts_of_branch_a):
    assert entry_sources_postgresql() == entry_sources_sqlite() != []
