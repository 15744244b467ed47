-- statement
DROP TRIGGER IF EXISTS accounts_product_overdraft_within_product;
-- statement
DROP TRIGGER IF EXISTS accounts_account_update_overdraft_within_product;
-- statement
DROP TRIGGER IF EXISTS accounts_account_insert_overdraft_within_product;
-- statement
DROP TRIGGER IF EXISTS accounts_ledger_overdraft_within_product;
