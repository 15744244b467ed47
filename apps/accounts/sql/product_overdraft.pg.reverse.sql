DROP TRIGGER IF EXISTS accounts_product_overdraft_within_product ON accounts_depositproduct;
DROP TRIGGER IF EXISTS accounts_account_overdraft_within_product ON accounts_account;
DROP TRIGGER IF EXISTS accounts_ledger_overdraft_within_product ON ledger_ledgeraccount;
DROP FUNCTION IF EXISTS accounts_check_overdraft_within_product();
DROP FUNCTION IF EXISTS accounts_overdraft_offender(bigint, bigint);
