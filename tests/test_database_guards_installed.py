"""After the migrations, PostgreSQL and SQLite carry the same integrity guards (run in both test runs).

SQLite rebuilds a table for most schema changes, which used to drop the table's triggers (ledger 0004 dropped the
postings' immutability); config/sqlite keeps them now, and this proves it after every migration. The behaviour
behind each guard is proven in apps/ledger/tests/test_tampering_refused.py and
apps/payments/tests/test_unique_with_default_lines.py.
"""

import pytest
from django.db import connection, models

from apps.ledger.models import Posting

# Each rule the database enforces, with the triggers (name, table) that enforce it on each database. A trigger
# added on one database only fails test_every_trigger_is_a_known_guard until its twin exists on the other.
GUARDS = {
    "postings are never updated or deleted": {
        "postgresql": {("ledger_posting_immutable", "ledger_posting")},
        "sqlite": {("ledger_posting_no_update", "ledger_posting"), ("ledger_posting_no_delete", "ledger_posting")},
    },
    "journal entries are never updated or deleted": {
        "postgresql": {("ledger_journalentry_immutable", "ledger_journalentry")},
        "sqlite": {("ledger_journalentry_no_update", "ledger_journalentry"),
                   ("ledger_journalentry_no_delete", "ledger_journalentry")},
    },
    "an entry has two postings or more and balances per currency at commit": {
        "postgresql": {("ledger_posting_entry_balanced", "ledger_posting"),
                       ("ledger_entry_has_balanced_postings", "ledger_journalentry")},
        "sqlite": {("ledger_posting_entry_balanced", "ledger_posting"),
                   ("ledger_entry_has_balanced_postings", "ledger_journalentry"),
                   ("ledger_unbalanced_entry_leaves_when_balanced", "ledger_unbalanced_entry"),
                   ("ledger_unbalanced_entry_no_update", "ledger_unbalanced_entry"),
                   ("ledger_unbalanced_entry_blocker_stays_empty", "ledger_unbalanced_entry_blocker")},
    },
    "a posting is in its account's currency": {
        "postgresql": {("ledger_posting_entry_balanced", "ledger_posting")},  # the same trigger function
        "sqlite": {("ledger_posting_currency_of_its_account", "ledger_posting")},
    },
    "an account with postings keeps its currency": {
        "postgresql": {("ledger_account_currency_fixed", "ledger_ledgeraccount")},
        "sqlite": {("ledger_account_currency_fixed", "ledger_ledgeraccount")},
    },
    # PostgreSQL: UNIQUE NULLS NOT DISTINCT constraints, which SQLite cannot declare (payments migration 0008).
    "one active fee per product (or the default), channel and currency": {
        "postgresql": set(),
        "sqlite": {("one_active_fee_per_product_channel_on_insert", "payments_feeschedule"),
                   ("one_active_fee_per_product_channel_on_update", "payments_feeschedule")},
    },
    "one transfer limit per product (or the default), tier and currency": {
        "postgresql": set(),
        "sqlite": {("one_limit_per_product_tier_currency_on_insert", "payments_transferlimit"),
                   ("one_limit_per_product_tier_currency_on_update", "payments_transferlimit")},
    },
    # apps/accounts/sql/product_overdraft.{pg,sqlite}.sql (accounts migration 0003)
    "an account's overdraft stays within what its product allows": {
        "postgresql": {("accounts_ledger_overdraft_within_product", "ledger_ledgeraccount"),
                       ("accounts_account_overdraft_within_product", "accounts_account"),
                       ("accounts_product_overdraft_within_product", "accounts_depositproduct")},
        "sqlite": {("accounts_ledger_overdraft_within_product", "ledger_ledgeraccount"),
                   ("accounts_account_insert_overdraft_within_product", "accounts_account"),
                   ("accounts_account_update_overdraft_within_product", "accounts_account"),
                   ("accounts_product_overdraft_within_product", "accounts_depositproduct")},
    },
    # apps/compliance/sql/sar_retention.{pg,sqlite}.sql (compliance migration 0002)
    "a filed SAR keeps its content, hash, filing and retention, and is never deleted": {
        "postgresql": {("compliance_sar_filed_kept", "compliance_suspiciousactivityreport")},
        "sqlite": {("compliance_sar_filed_kept_update", "compliance_suspiciousactivityreport"),
                   ("compliance_sar_filed_kept_delete", "compliance_suspiciousactivityreport")},
    },
}

_TRIGGERS_SQL = {
    "postgresql": """SELECT t.tgname, c.relname FROM pg_trigger AS t JOIN pg_class AS c ON c.oid = t.tgrelid
                     JOIN pg_namespace AS n ON n.oid = c.relnamespace
                     WHERE NOT t.tgisinternal AND n.nspname = current_schema()""",
    "sqlite": "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'",
}


def _installed_triggers() -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(_TRIGGERS_SQL[connection.vendor])
        return set(cursor.fetchall())


@pytest.mark.django_db
@pytest.mark.parametrize("rule", GUARDS)
def test_every_guard_is_installed_after_the_migrations(rule):
    assert GUARDS[rule][connection.vendor] <= _installed_triggers()


@pytest.mark.django_db
def test_every_trigger_is_a_known_guard():
    known = set().union(*(triggers[connection.vendor] for triggers in GUARDS.values()))
    assert _installed_triggers() - known == set(), "a trigger without its twin on the other database"


@pytest.mark.django_db(transaction=True)
def test_the_guards_survive_a_schema_change_that_rebuilds_the_postings_table():
    """SQLite changes a column by rebuilding the table, which drops its triggers, and fails on a trigger of another
    table that reads it; config/sqlite keeps every trigger through it (as PostgreSQL does with ALTER TABLE)."""
    before = _installed_triggers()
    old = Posting._meta.get_field("currency")
    wider = models.CharField(max_length=4, choices=old.choices)
    wider.set_attributes_from_name("currency")
    wider.model = Posting
    with connection.schema_editor() as editor:
        editor.alter_field(Posting, old, wider)
    try:
        assert _installed_triggers() == before
    finally:
        with connection.schema_editor() as editor:
            editor.alter_field(Posting, wider, old)
    assert _installed_triggers() == before
