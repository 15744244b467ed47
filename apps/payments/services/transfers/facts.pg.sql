-- Everything a transfer's rules read besides the locked rows, in one statement, run after the locks are held
-- (apps.payments.services.transfers.facts). Each rule mirrors its function, which the ORM path runs:
--   the day's total       apps.payments.pricing.transfers_counting_toward_daily_limit
--   fee schedule          apps.payments.pricing.applicable_fee_schedule
--   limit                 apps.payments.pricing.applicable_transfer_limit (the tier: pricing.customer_tier)
--   KYC documents         apps.kyc.selectors.documents_that_count
-- Every column is named: the reader builds the facts by these names.
SELECT bank.current_business_date AS business_date,
       existing.id AS existing_transfer_id,
       (SELECT COALESCE(SUM(amount), 0) FROM accounts_hold
        WHERE account_id = %(payer)s AND status = %(hold_active)s) AS holds_total,
       (SELECT COALESCE(SUM(amount), 0) FROM payments_transfer
        WHERE from_account_id = %(payer)s AND business_date = bank.current_business_date
          AND status <> %(rejected)s) AS spent_today,
       fee.id AS fee_schedule__id, fee.product_id AS fee_schedule__product_id,
       fee.fixed_fee AS fee_schedule__fixed_fee, fee.percentage AS fee_schedule__percentage,
       fee.minimum_fee AS fee_schedule__minimum_fee, fee.maximum_fee AS fee_schedule__maximum_fee,
       transfer_limit.id AS limit__id, transfer_limit.product_id AS limit__product_id,
       transfer_limit.per_transaction AS limit__per_transaction, transfer_limit.per_day AS limit__per_day,
       documents.types AS kyc_document_types, documents.expiries AS kyc_document_expiries,
       documents.statuses AS kyc_document_statuses,
       (SELECT id FROM payments_beneficiary
        WHERE %(look_for_beneficiary)s AND owner_id = %(customer)s AND removed_at IS NULL
          AND account_identifier = %(destination)s
        ORDER BY name, id LIMIT 1) AS saved_beneficiary_id,
       EXISTS (SELECT 1 FROM payments_fraudrule WHERE is_active) AS fraud_rules_active
FROM (SELECT current_business_date FROM organization_bank ORDER BY id LIMIT 1) AS bank
LEFT JOIN payments_transfer AS existing
    ON existing.initiated_by_id = %(initiator)s AND existing.idempotency_key = %(key)s
LEFT JOIN LATERAL (
    SELECT * FROM payments_feeschedule
    WHERE (product_id = %(product)s OR product_id IS NULL) AND channel = %(channel)s AND currency = %(currency)s
      AND is_active
    ORDER BY product_id NULLS LAST, id LIMIT 1
) AS fee ON true
LEFT JOIN LATERAL (
    SELECT * FROM payments_transferlimit
    WHERE (product_id = %(product)s OR product_id IS NULL) AND customer_tier = %(tier)s
      AND currency = %(currency)s
    ORDER BY product_id NULLS LAST, id LIMIT 1
) AS transfer_limit ON true
LEFT JOIN LATERAL (
    SELECT array_agg(document_type ORDER BY id) AS types, array_agg(expiry_date ORDER BY id) AS expiries,
           array_agg(status ORDER BY id) AS statuses
    FROM kyc_kycdocument
    WHERE customer_id = %(customer)s AND document_type = ANY(%(required)s) AND status = ANY(%(statuses)s)
) AS documents ON true
