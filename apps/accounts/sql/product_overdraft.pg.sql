-- A deposit account's overdraft is its product's: the ledger account carrying it may allow an overdraft only
-- when the product is a current account with a positive overdraft limit, and only up to that limit (never
-- without a limit). Checked whichever of the three rows changes: the ledger account, the account, the product.

CREATE OR REPLACE FUNCTION accounts_overdraft_offender(checked_ledger bigint, checked_product bigint)
RETURNS text LANGUAGE sql STABLE AS $$
    SELECT a.number FROM accounts_account a
        JOIN accounts_depositproduct p ON p.id = a.product_id
        JOIN ledger_ledgeraccount l ON l.id = a.ledger_account_id
    WHERE (checked_ledger IS NULL OR a.ledger_account_id = checked_ledger)
      AND (checked_product IS NULL OR a.product_id = checked_product)
      AND l.allow_overdraft
      AND (p.kind <> 'current' OR p.overdraft_limit <= 0 OR l.overdraft_limit IS NULL
           OR l.overdraft_limit > p.overdraft_limit)
    LIMIT 1
$$;

CREATE OR REPLACE FUNCTION accounts_check_overdraft_within_product() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    offender text;
BEGIN
    IF TG_TABLE_NAME = 'ledger_ledgeraccount' THEN
        offender := accounts_overdraft_offender(NEW.id, NULL);
    ELSIF TG_TABLE_NAME = 'accounts_account' THEN
        offender := accounts_overdraft_offender(NEW.ledger_account_id, NULL);
    ELSE
        offender := accounts_overdraft_offender(NULL, NEW.id);
    END IF;
    IF offender IS NOT NULL THEN
        RAISE EXCEPTION 'account % would have an overdraft its product does not allow (accounts_overdraft_within_product)',
            offender USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER accounts_ledger_overdraft_within_product
    AFTER UPDATE OF allow_overdraft, overdraft_limit ON ledger_ledgeraccount
    FOR EACH ROW EXECUTE FUNCTION accounts_check_overdraft_within_product();
CREATE TRIGGER accounts_account_overdraft_within_product
    AFTER INSERT OR UPDATE OF product_id, ledger_account_id ON accounts_account
    FOR EACH ROW EXECUTE FUNCTION accounts_check_overdraft_within_product();
CREATE TRIGGER accounts_product_overdraft_within_product
    AFTER UPDATE OF kind, overdraft_limit ON accounts_depositproduct
    FOR EACH ROW EXECUTE FUNCTION accounts_check_overdraft_within_product();
