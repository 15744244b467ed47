-- One business date's loan interest accrual, in one statement (PostgreSQL): every instalment of an active loan
-- whose period has begun and whose interest is not yet all accrued is brought to the interest earned by the end
-- of the date (apps/loans/loan_interest.py: the instalment's interest spread evenly over its period's days,
-- rounded to the currency's minor unit); the day's increase is one loans_loanaccrual row (UNIQUE per instalment
-- and date: a second run inserts nothing and so updates nothing).
WITH minor AS (
    SELECT * FROM unnest(%(currencies)s::varchar[], %(decimals)s::int[]) AS m(currency, decimals)
),
targets AS (
    SELECT i.id AS instalment_id, i.loan_id, l.product_id, i.interest_accrued,
           CASE WHEN %(day)s::date >= i.period_end THEN i.interest_due
                ELSE ROUND(i.interest_due * (%(day)s::date - i.period_start) / (i.period_end - i.period_start),
                           m.decimals)
           END AS earned
    FROM loans_loaninstalment i
    JOIN loans_loan l ON l.id = i.loan_id
    JOIN minor m ON m.currency = l.currency
    WHERE i.interest_accrued < i.interest_due AND i.period_start < %(day)s::date AND i.status <> 'rescheduled'
      AND l.status = 'active'
),
inserted AS (
    INSERT INTO loans_loanaccrual (loan_id, instalment_id, product_id, business_date, amount)
    SELECT loan_id, instalment_id, product_id, %(day)s::date, earned - interest_accrued
    FROM targets WHERE earned > interest_accrued
    ON CONFLICT (instalment_id, business_date) DO NOTHING
    RETURNING instalment_id, amount
)
UPDATE loans_loaninstalment i SET interest_accrued = i.interest_accrued + inserted.amount
FROM inserted WHERE i.id = inserted.instalment_id
