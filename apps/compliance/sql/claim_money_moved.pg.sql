-- Claim up to %(limit)s due, pending events of one type for a lease: a row another consumer is claiming is
-- skipped (SKIP LOCKED), and a row claimed already has next_attempt_at in the future, so no event is claimed
-- twice while its lease runs (the per-event _claim in apps/outbox/services.py asks the same condition).
UPDATE outbox_outboxevent SET next_attempt_at = %(lease_until)s
WHERE id IN (
    SELECT id FROM outbox_outboxevent
    WHERE state = 'pending' AND event_type = %(event_type)s AND next_attempt_at <= %(now)s
    ORDER BY id
    FOR UPDATE SKIP LOCKED
    LIMIT %(limit)s
)
RETURNING id
