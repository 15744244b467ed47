-- Lock the payer's and the payee's deposit accounts in id order, with their products and customers (read, not
-- locked), and read the fee income ledger account's id (apps.accounts.locks.lock_payer_and_payee_postgresql).
-- The payer is only found (and locked) within what the initiator may debit: the payer scope's condition restricts it.
SELECT {account_columns}, {product_columns}, {customer_columns},
       (SELECT id FROM ledger_ledgeraccount WHERE code = %s) AS fee_income_account_id
FROM accounts_account AS account
JOIN accounts_depositproduct AS product ON product.id = account.product_id
JOIN customers_customer AS customer ON customer.id = account.customer_id
WHERE account.number = %s OR (account.number = %s AND {payer_scope})
ORDER BY account.id
FOR UPDATE OF account
