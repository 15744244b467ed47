"""SQLite gets the ledger guards PostgreSQL has had since 0003, and gets back those 0004 lost.

0004 altered ``ledger_posting.account``; SQLite does that by rebuilding the table, which dropped 0003's
``ledger_posting_no_update``/``_no_delete`` triggers, so raw SQL could edit and delete postings in the embedded mode.
(config/sqlite keeps triggers through later rebuilds; apps/ledger/tests/test_database_guards_installed.py proves
every guard is in place after the migrations.)

What PostgreSQL's triggers refuse, SQLite's now refuse too:
- UPDATE and DELETE of postings and journal entries (at once, as on PostgreSQL);
- a posting in a currency other than its account's (at once; PostgreSQL at commit);
- changing the currency of an account that has postings (at once, as on PostgreSQL);
- an entry with fewer than two postings or whose postings do not balance per currency (at commit, as on
  PostgreSQL). SQLite has no deferred triggers, but it has deferred foreign keys: inserting an entry, or a posting
  into it, writes a row in ``ledger_unbalanced_entry`` whose ``blocks_commit`` references the always empty
  ``ledger_unbalanced_entry_blocker``; the row is deleted once the entry's postings balance. A row left at commit
  is a deferred foreign key violation, so SQLite refuses the COMMIT ("FOREIGN KEY constraint failed"), and
  ``connection.check_constraints()`` names the entry. Amounts are compared in whole ten-thousandths (the ledger's
  storage precision), because SQLite adds decimals as binary floats. (Foreign keys are enforced on Django's
  connections; the sqlite3 shell needs ``PRAGMA foreign_keys = ON`` for this rule, not for the others.)
On PostgreSQL this migration does nothing.
"""

from django.db import migrations

IMMUTABLE_TABLES = ("ledger_posting", "ledger_journalentry")

# The entry balances: two postings or more, and in each currency debits equal credits (in ten-thousandths).
_BALANCED = """(SELECT count(*) FROM ledger_posting WHERE entry_id = {entry}) >= 2
        AND NOT EXISTS (
            SELECT 1 FROM ledger_posting WHERE entry_id = {entry} GROUP BY currency
            HAVING sum(CASE WHEN side = 'D' THEN 1 ELSE -1 END * CAST(round(amount * 10000) AS INTEGER)) <> 0)"""

SQLITE_FORWARD = [
    *(f"DROP TRIGGER IF EXISTS {table}_no_{verb}" for table in IMMUTABLE_TABLES for verb in ("update", "delete")),
    *(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
      f"BEGIN SELECT RAISE(ABORT, '{table} rows are immutable: post a reversal instead'); END"
      for table in IMMUTABLE_TABLES for verb in ("UPDATE", "DELETE")),
    """CREATE TRIGGER ledger_posting_currency_of_its_account BEFORE INSERT ON ledger_posting
    WHEN EXISTS (SELECT 1 FROM ledger_ledgeraccount WHERE id = NEW.account_id AND currency <> NEW.currency)
    BEGIN SELECT RAISE(ABORT, 'a posting is in a currency its account is not in'); END""",
    """CREATE TRIGGER ledger_account_currency_fixed BEFORE UPDATE OF currency ON ledger_ledgeraccount
    WHEN NEW.currency <> OLD.currency AND EXISTS (SELECT 1 FROM ledger_posting WHERE account_id = OLD.id)
    BEGIN SELECT RAISE(ABORT, 'the ledger account has postings: its currency cannot change'); END""",
    # The deferred balance check.
    "CREATE TABLE ledger_unbalanced_entry_blocker (id integer NOT NULL PRIMARY KEY)",
    """CREATE TABLE ledger_unbalanced_entry (
        entry_id integer NOT NULL PRIMARY KEY,
        blocks_commit integer NOT NULL DEFAULT 1
            REFERENCES ledger_unbalanced_entry_blocker (id) DEFERRABLE INITIALLY DEFERRED
    )""",
    """CREATE TRIGGER ledger_unbalanced_entry_blocker_stays_empty BEFORE INSERT ON ledger_unbalanced_entry_blocker
    BEGIN SELECT RAISE(ABORT, 'ledger_unbalanced_entry_blocker stays empty'); END""",
    """CREATE TRIGGER ledger_unbalanced_entry_no_update BEFORE UPDATE ON ledger_unbalanced_entry
    BEGIN SELECT RAISE(ABORT, 'ledger_unbalanced_entry rows are the balance check: not updatable'); END""",
    f"""CREATE TRIGGER ledger_unbalanced_entry_leaves_when_balanced BEFORE DELETE ON ledger_unbalanced_entry
    WHEN NOT ({_BALANCED.format(entry="OLD.entry_id")})
    BEGIN SELECT RAISE(ABORT, 'journal entry does not balance'); END""",
    """CREATE TRIGGER ledger_entry_has_balanced_postings AFTER INSERT ON ledger_journalentry
    BEGIN INSERT INTO ledger_unbalanced_entry (entry_id) VALUES (NEW.id); END""",
    f"""CREATE TRIGGER ledger_posting_entry_balanced AFTER INSERT ON ledger_posting
    BEGIN
        INSERT OR IGNORE INTO ledger_unbalanced_entry (entry_id) VALUES (NEW.entry_id);
        DELETE FROM ledger_unbalanced_entry WHERE entry_id = NEW.entry_id AND {_BALANCED.format(entry="NEW.entry_id")};
    END""",
]

SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS ledger_posting_entry_balanced",
    "DROP TRIGGER IF EXISTS ledger_entry_has_balanced_postings",
    "DROP TABLE IF EXISTS ledger_unbalanced_entry",
    "DROP TABLE IF EXISTS ledger_unbalanced_entry_blocker",
    "DROP TRIGGER IF EXISTS ledger_account_currency_fixed",
    "DROP TRIGGER IF EXISTS ledger_posting_currency_of_its_account",
    # 0003's immutability triggers stay: they are 0003's to remove.
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for statement in statements:
                schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("ledger", "0004_drop_indexes_covered_by_composites")]

    operations = [migrations.RunPython(_run(SQLITE_FORWARD), _run(SQLITE_BACKWARD))]
