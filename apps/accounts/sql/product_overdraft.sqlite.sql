-- The SQLite version of product_overdraft.pg.sql (same rule, same three tables). Each statement follows a line
-- holding only the separator comment below (a CREATE TRIGGER has semicolons inside its body).
-- statement
CREATE TRIGGER accounts_ledger_overdraft_within_product
AFTER UPDATE OF allow_overdraft, overdraft_limit ON ledger_ledgeraccount
WHEN NEW.allow_overdraft AND EXISTS (
    SELECT 1 FROM accounts_account a JOIN accounts_depositproduct p ON p.id = a.product_id
    WHERE a.ledger_account_id = NEW.id
      AND (p.kind <> 'current' OR p.overdraft_limit <= 0 OR NEW.overdraft_limit IS NULL
           OR NEW.overdraft_limit > p.overdraft_limit))
BEGIN
    SELECT RAISE(ABORT, 'an account would have an overdraft its product does not allow (accounts_overdraft_within_product)');
END;
-- statement
CREATE TRIGGER accounts_account_insert_overdraft_within_product
AFTER INSERT ON accounts_account
WHEN EXISTS (
    SELECT 1 FROM ledger_ledgeraccount l JOIN accounts_depositproduct p ON p.id = NEW.product_id
    WHERE l.id = NEW.ledger_account_id AND l.allow_overdraft
      AND (p.kind <> 'current' OR p.overdraft_limit <= 0 OR l.overdraft_limit IS NULL
           OR l.overdraft_limit > p.overdraft_limit))
BEGIN
    SELECT RAISE(ABORT, 'an account would have an overdraft its product does not allow (accounts_overdraft_within_product)');
END;
-- statement
CREATE TRIGGER accounts_account_update_overdraft_within_product
AFTER UPDATE OF product_id, ledger_account_id ON accounts_account
WHEN EXISTS (
    SELECT 1 FROM ledger_ledgeraccount l JOIN accounts_depositproduct p ON p.id = NEW.product_id
    WHERE l.id = NEW.ledger_account_id AND l.allow_overdraft
      AND (p.kind <> 'current' OR p.overdraft_limit <= 0 OR l.overdraft_limit IS NULL
           OR l.overdraft_limit > p.overdraft_limit))
BEGIN
    SELECT RAISE(ABORT, 'an account would have an overdraft its product does not allow (accounts_overdraft_within_product)');
END;
-- statement
CREATE TRIGGER accounts_product_overdraft_within_product
AFTER UPDATE OF kind, overdraft_limit ON accounts_depositproduct
WHEN EXISTS (
    SELECT 1 FROM accounts_account a JOIN ledger_ledgeraccount l ON l.id = a.ledger_account_id
    WHERE a.product_id = NEW.id AND l.allow_overdraft
      AND (NEW.kind <> 'current' OR NEW.overdraft_limit <= 0 OR l.overdraft_limit IS NULL
           OR l.overdraft_limit > NEW.overdraft_limit))
BEGIN
    SELECT RAISE(ABORT, 'an account would have an overdraft its product does not allow (accounts_overdraft_within_product)');
END;
