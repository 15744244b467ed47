"""What the database alone can do with a transfer: the ceiling under the transfer service, with no Python.

``bench/transfers.py`` runs these after the service. Both drive PostgreSQL from pgbench's C client, with the same
number of clients as the service's workers, on the same scratch bank:

- *the service's statements*: BEGIN, the five statements the transfer service sends for one transfer to another
  customer with a fee (taken from the modules that send them, so this follows the code), COMMIT; prepared, as the
  service's are (``DATABASE_PREPARE_THRESHOLD``);
- *one call*: a PL/pgSQL function that does the same reads, locks and writes in one round trip (created in the
  scratch database only; the product has no such function). It checks no rule: it is an upper bound for moving
  the whole transfer into the database, not a design.

Payer and payee are drawn uniformly; every transfer pays 1.00 with a 0.10 fee, so the ledger stays balanced and
``ledger_check`` clean.
"""

import re
import subprocess
import tempfile
from urllib.parse import urlparse

from baseline import psql_args


def _bind(sql: str, values) -> str:
    """Put pgbench expressions where the driver's placeholders are (``%s`` in order, or ``%(name)s``)."""
    if isinstance(values, dict):
        return re.sub(r"%\((\w+)\)s", lambda match: values[match.group(1)], sql)
    values = iter(values)
    bound = re.sub(r"%s", lambda _: next(values), sql)
    if next(values, None) is not None:
        raise ValueError("more values than placeholders")
    return bound


def _one_line(sql: str) -> str:
    """The statement on one line, without its comment lines (the ``.pg.sql`` files open with some)."""
    return " ".join(" ".join(line for line in sql.splitlines() if not line.lstrip().startswith("--")).split())


def bank_layout():
    """The ids the scripts need, read from the scratch bank (and checked: pgbench draws accounts by id)."""
    from django.db import connection

    from apps.accounts.models import Account
    from apps.ledger.chart import FEE_INCOME
    from apps.organization.models import Bank, User

    accounts = list(Account.objects.order_by("pk").values_list("pk", "ledger_account_id", "customer_id",
                                                                 "product_id"))
    first = accounts[0]
    ledger_offset, customer_offset = first[1] - first[0], first[2] - first[0]
    if any((ledger - pk, customer - pk, product) != (ledger_offset, customer_offset, first[3])
           or pk != first[0] + index for index, (pk, ledger, customer, product) in enumerate(accounts)):
        raise RuntimeError("the scratch bank's accounts are not laid out in step: the scripts cannot draw them")
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM ledger_ledgeraccount WHERE code = %s", [FEE_INCOME])
        fee_income_id = cursor.fetchone()[0]
    return {
        "first": first[0], "last": accounts[-1][0], "ledger_offset": ledger_offset,
        "customer_offset": customer_offset, "product": first[3], "fee_income": fee_income_id,
        "user": User.objects.get(username="bench.teller").pk,
        "business_date": Bank.objects.get().current_business_date.isoformat(),
    }


def _draw(layout) -> list[str]:
    count = layout["last"] - layout["first"] + 1
    return [
        f"\\set a random({layout['first']}, {layout['last']})",
        f"\\set d random(1, {count - 1})",
        f"\\set b {layout['first']} + (:a - {layout['first']} + :d) % {count}",
        f"\\set la :a + {layout['ledger_offset']}",
        f"\\set lb :b + {layout['ledger_offset']}",
        f"\\set ca :a + {layout['customer_offset']}",
        "\\set k random(1, 1000000000000)",
    ]


def service_statements_script(layout) -> str:
    """BEGIN, the transfer service's five statements, COMMIT, as a pgbench script."""
    from django.db import transaction

    from apps.accounts import locks as account_locks
    from apps.ledger import journal_sql
    from apps.ledger import locks as ledger_locks
    from apps.payments.services.transfers import facts as transfer_facts
    from apps.payments.services.transfers import sql as transfer_sql

    number = "(SELECT number FROM accounts_account WHERE id = :{})".format
    # The ORM's locking statement as the service sends it; its parameters are the fee income code, then the
    # payee's number, then the payer's.
    with transaction.atomic():  # Django renders FOR UPDATE only inside a transaction
        lock_sql, _ = (account_locks.payer_and_payee_locking(payer_number="a", payee_number="b")
                       .query.sql_with_params())
    user, fee, date = layout["user"], layout["fee_income"], f"'{layout['business_date']}'::date"
    key = "('k' || :k::bigint)"
    ledgers = f"ARRAY[:la, :lb, {fee}]::bigint[]"
    facts = {
        "payer": ":a", "hold_active": "'active'", "rejected": "'rejected'", "initiator": str(user), "key": key,
        "product": str(layout["product"]), "channel": "'api'", "currency": "'EUR'", "tier": "'standard'",
        "customer": ":ca", "required": "ARRAY['government_id', 'proof_of_address']::varchar[]",
        "statuses": "ARRAY['received', 'accepted', 'expired']::varchar[]", "look_for_beneficiary": "true",
        "destination": number("b"),
    }
    entry = [date, "'Transfer ' || :a::bigint || ' to ' || :b::bigint", "''", "'transfer'",
             f"('{user}' || chr(58) || 'k' || :k::bigint)", "md5(:k::text) || md5(:k::text)", "NULL", str(user),
             "now()", f"ARRAY[:la, :lb, {fee}]", "ARRAY['D', 'C', 'C']", "ARRAY[1.10, 1.00, 0.10]",
             "ARRAY['EUR', 'EUR', 'EUR']", "ARRAY[:la, :lb]", "ARRAY[-1.10, 1.00]"]
    transfer_values = {
        "from_account_id": ":a", "to_account_id": ":b", "amount": "1.00", "fee": "0.10", "currency": "'EUR'",
        "reference": "''", "channel": "'api'", "business_date": date, "status": "'completed'",
        "entry_id": ":entry_id", "hold_id": "NULL", "beneficiary_id": "NULL", "initiated_by_id": str(user),
        "idempotency_key": key, "created_at": "now()",
    }
    transfer = [transfer_values[field.attname] for field in transfer_sql.FIELDS] + ["now()", str(user)]
    statements = [
        _bind(lock_sql, ["'4000'", number("b"), number("a")]) + ";",
        _bind(ledger_locks._LOCK_SQL, [ledgers, ledgers]) + ";",
        _bind(transfer_facts.FACTS_SQL, facts) + ";",
        _bind(journal_sql._WRITE_ENTRY_SQL, entry) + " \\gset entry_",
        _bind(transfer_sql.INSERT_SQL, transfer) + ";",
    ]
    return "\n".join([*_draw(layout), "BEGIN;", *(_one_line(s) for s in statements), "COMMIT;"]) + "\n"


# The same reads, locks and writes as the service's statements, in one server-side call.
_ONE_CALL_FUNCTION = """
CREATE OR REPLACE FUNCTION bench_transfer(p_from text, p_to text, p_amount numeric, p_fee numeric, p_key text,
                                          p_user bigint, p_fee_income bigint)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    locked record; payer record; payee record; facts record; new_entry_id bigint; new_transfer_id bigint;
BEGIN
    FOR locked IN
        SELECT account.*, product.currency AS product_currency, customer.kyc_status, customer.is_premium
        FROM accounts_account AS account
        JOIN accounts_depositproduct AS product ON product.id = account.product_id
        JOIN customers_customer AS customer ON customer.id = account.customer_id
        WHERE account.number IN (p_from, p_to) ORDER BY account.id FOR UPDATE OF account
    LOOP
        IF locked.number = p_from THEN payer := locked; ELSE payee := locked; END IF;
    END LOOP;
    PERFORM 1 FROM ledger_ledgeraccount
    WHERE id IN (payer.ledger_account_id, payee.ledger_account_id) AND balance_tracking = 'stored'
    ORDER BY id FOR UPDATE;
    SELECT bank.current_business_date AS business_date, existing.id AS existing_id,
           (SELECT COALESCE(SUM(amount), 0) FROM accounts_hold
            WHERE account_id = payer.id AND status = 'active') AS holds_total,
           (SELECT COALESCE(SUM(amount), 0) FROM payments_transfer
            WHERE from_account_id = payer.id AND business_date = bank.current_business_date
              AND status <> 'rejected') AS spent_today,
           fee.id AS fee_id, transfer_limit.id AS limit_id, documents.types,
           (SELECT id FROM payments_beneficiary
            WHERE owner_id = payer.customer_id AND removed_at IS NULL AND account_identifier = p_to
            ORDER BY name, id LIMIT 1) AS beneficiary_id,
           EXISTS (SELECT 1 FROM payments_fraudrule WHERE is_active) AS fraud_rules_active
    INTO facts
    FROM (SELECT current_business_date FROM organization_bank ORDER BY id LIMIT 1) AS bank
    LEFT JOIN payments_transfer AS existing ON existing.initiated_by_id = p_user AND existing.idempotency_key = p_key
    LEFT JOIN LATERAL (
        SELECT * FROM payments_feeschedule
        WHERE (product_id = payer.product_id OR product_id IS NULL) AND channel = 'api' AND currency = 'EUR'
          AND is_active
        ORDER BY product_id NULLS LAST, id LIMIT 1) AS fee ON true
    LEFT JOIN LATERAL (
        SELECT * FROM payments_transferlimit
        WHERE (product_id = payer.product_id OR product_id IS NULL) AND customer_tier = 'standard'
          AND currency = 'EUR'
        ORDER BY product_id NULLS LAST, id LIMIT 1) AS transfer_limit ON true
    LEFT JOIN LATERAL (
        SELECT array_agg(document_type ORDER BY id) AS types FROM kyc_kycdocument
        WHERE customer_id = payer.customer_id AND document_type = ANY(ARRAY['government_id', 'proof_of_address'])
          AND status = ANY(ARRAY['received', 'accepted', 'expired'])) AS documents ON true;
    INSERT INTO ledger_journalentry (business_date, description, reference, source, idempotency_key, fingerprint,
                                     reverses_id, posted_by_id, posted_at)
    VALUES (facts.business_date, 'Transfer ' || p_from || ' to ' || p_to, '', 'transfer', p_user || ':' || p_key,
            md5(p_key) || md5(p_key), NULL, p_user, now())
    RETURNING id INTO new_entry_id;
    INSERT INTO ledger_posting (entry_id, account_id, side, amount, currency) VALUES
        (new_entry_id, payer.ledger_account_id, 'D', p_amount + p_fee, 'EUR'),
        (new_entry_id, payee.ledger_account_id, 'C', p_amount, 'EUR'),
        (new_entry_id, p_fee_income, 'C', p_fee, 'EUR');
    UPDATE ledger_ledgeraccount AS account SET balance = account.balance + moved.delta
    FROM (VALUES (payer.ledger_account_id, -(p_amount + p_fee)), (payee.ledger_account_id, p_amount))
        AS moved(id, delta)
    WHERE account.id = moved.id;
    WITH transfer AS (
        INSERT INTO payments_transfer (from_account_id, to_account_id, amount, fee, currency, reference, channel,
                                       business_date, status, entry_id, initiated_by_id, idempotency_key,
                                       created_at)
        VALUES (payer.id, payee.id, p_amount, p_fee, 'EUR', '', 'api', facts.business_date, 'completed', new_entry_id,
                p_user, p_key, now())
        RETURNING *)
    INSERT INTO payments_historicaltransfer (id, amount, fee, currency, reference, channel, business_date, status,
                                             idempotency_key, created_at, from_account_id, to_account_id, entry_id,
                                             hold_id, beneficiary_id, initiated_by_id, history_date, history_type,
                                             history_user_id)
    SELECT id, amount, fee, currency, reference, channel, business_date, status, idempotency_key, created_at,
           from_account_id, to_account_id, entry_id, hold_id, beneficiary_id, initiated_by_id, now(), '+', p_user
    FROM transfer
    RETURNING id INTO new_transfer_id;
    RETURN new_transfer_id;
END $$;
"""


def one_call_script(layout) -> str:
    number = "(SELECT number FROM accounts_account WHERE id = :{})".format
    call = (f"SELECT bench_transfer({number('a')}, {number('b')}, 1.00, 0.10, 'c' || :k::bigint, "
            f"{layout['user']}, {layout['fee_income']});")
    return "\n".join([*_draw(layout), call]) + "\n"


def create_one_call_function(url: str) -> None:
    name = urlparse(url).path.lstrip("/")
    subprocess.run(["psql", *psql_args(url), "-q", "-v", "ON_ERROR_STOP=1", "-d", name, "-c", _ONE_CALL_FUNCTION],
                   check=True, capture_output=True)


def pgbench_script_tps(url: str, script: str, *, clients: int, seconds: int) -> float:
    """Run ``script`` with pgbench (prepared statements) and return its transactions per second; a failed
    transaction fails the run."""
    name = urlparse(url).path.lstrip("/")
    with tempfile.NamedTemporaryFile("w", suffix=".sql") as file:
        file.write(script)
        file.flush()
        result = subprocess.run(
            ["pgbench", *psql_args(url), "-n", "-M", "prepared", "-f", file.name, "-c", str(clients),
             "-j", str(min(clients, 2)), "-T", str(seconds), name],
            capture_output=True, text=True)
    if result.returncode != 0 or "aborted" in result.stderr:
        raise RuntimeError(f"pgbench failed:\n{result.stderr[-2000:]}")
    return float(re.search(r"tps = ([\d.]+)", result.stdout).group(1))
