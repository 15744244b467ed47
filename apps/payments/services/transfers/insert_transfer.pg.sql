-- A completed transfer's row and its history row in one statement (apps.payments.services.transfers.sql).
-- Table and column names come from the models, never from input.
WITH transfer AS (
    INSERT INTO {table} ({columns}) VALUES ({placeholders}) RETURNING *
)
INSERT INTO {history_table} ({history_columns}, history_date, history_change_reason, history_type, history_user_id)
SELECT {history_columns}, %s, NULL, '+', %s FROM transfer
RETURNING id
