"""Database-level guards of the ledger, so that even code bypassing the ORM cannot break its rules.

PostgreSQL:
- journal entries and postings refuse UPDATE and DELETE (a mistake is corrected by a reversal);
- a deferred constraint trigger refuses, at commit, an entry with fewer than two postings, an entry whose
  postings do not balance per currency, and a posting whose currency is not its account's
  (the pattern django-hordak uses);
- an account's currency cannot change once it has postings.
SQLite (embedded demo mode): the immutability triggers only; the balance check is ``ledger_check``'s job.
"""

from django.db import migrations

POSTGRES_FORWARD = r"""
CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are immutable: post a reversal instead', TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END $$;

CREATE TRIGGER ledger_posting_immutable BEFORE UPDATE OR DELETE ON ledger_posting
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_journalentry_immutable BEFORE UPDATE OR DELETE ON ledger_journalentry
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();

CREATE OR REPLACE FUNCTION ledger_check_entry() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    checked_entry bigint;
    posting_count integer;
    unbalanced_currency text;
BEGIN
    IF TG_TABLE_NAME = 'ledger_posting' THEN
        checked_entry := NEW.entry_id;
        PERFORM 1 FROM ledger_ledgeraccount a WHERE a.id = NEW.account_id AND a.currency <> NEW.currency;
        IF FOUND THEN
            RAISE EXCEPTION 'posting % of journal entry % is in % but its account is not', NEW.id, checked_entry,
                NEW.currency USING ERRCODE = 'check_violation';
        END IF;
    ELSE
        checked_entry := NEW.id;
    END IF;

    SELECT count(*) INTO posting_count FROM ledger_posting WHERE entry_id = checked_entry;
    IF posting_count < 2 THEN
        RAISE EXCEPTION 'journal entry % has % posting(s); at least two are required', checked_entry, posting_count
            USING ERRCODE = 'check_violation';
    END IF;

    SELECT currency INTO unbalanced_currency FROM ledger_posting WHERE entry_id = checked_entry
        GROUP BY currency HAVING sum(CASE WHEN side = 'D' THEN amount ELSE -amount END) <> 0 LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'journal entry % does not balance in %', checked_entry, unbalanced_currency
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER ledger_posting_entry_balanced AFTER INSERT ON ledger_posting
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_entry();
CREATE CONSTRAINT TRIGGER ledger_entry_has_balanced_postings AFTER INSERT ON ledger_journalentry
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_entry();

CREATE OR REPLACE FUNCTION ledger_keep_account_currency() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.currency <> OLD.currency AND EXISTS (SELECT 1 FROM ledger_posting WHERE account_id = OLD.id) THEN
        RAISE EXCEPTION 'ledger account % has postings: its currency cannot change', OLD.code
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER ledger_account_currency_fixed BEFORE UPDATE OF currency ON ledger_ledgeraccount
    FOR EACH ROW EXECUTE FUNCTION ledger_keep_account_currency();
"""

POSTGRES_BACKWARD = r"""
DROP TRIGGER IF EXISTS ledger_account_currency_fixed ON ledger_ledgeraccount;
DROP FUNCTION IF EXISTS ledger_keep_account_currency();
DROP TRIGGER IF EXISTS ledger_entry_has_balanced_postings ON ledger_journalentry;
DROP TRIGGER IF EXISTS ledger_posting_entry_balanced ON ledger_posting;
DROP FUNCTION IF EXISTS ledger_check_entry();
DROP TRIGGER IF EXISTS ledger_journalentry_immutable ON ledger_journalentry;
DROP TRIGGER IF EXISTS ledger_posting_immutable ON ledger_posting;
DROP FUNCTION IF EXISTS ledger_refuse_change();
"""

SQLITE_FORWARD = [
    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
    f"BEGIN SELECT RAISE(ABORT, '{table} rows are immutable: post a reversal instead'); END"
    for table in ("ledger_posting", "ledger_journalentry")
    for verb in ("UPDATE", "DELETE")
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {table}_no_{verb.lower()}"
    for table in ("ledger_posting", "ledger_journalentry")
    for verb in ("UPDATE", "DELETE")
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor, [])
        for statement in [statements] if isinstance(statements, str) else statements:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
