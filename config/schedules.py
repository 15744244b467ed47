"""Default Celery beat schedules. ``manage.py install_beat_schedules`` creates the missing ones in
django-celery-beat's tables; from then on operators edit them in the admin (Periodic tasks), and the command
never overwrites their changes."""

DEFAULT_SCHEDULES = [
    {
        "name": "Look up outgoing payments left initiated or submitted",
        "task": "payments.poll_outgoing_payments",
        "crontab": {"minute": "*"},
    },
    {
        "name": "Expire stale approval requests",
        "task": "organization.expire_stale_approval_requests",
        "crontab": {"minute": "*/15"},
    },
    {
        # wall-clock: API tokens expire by the clock (a security expiry), not by the business date
        "name": "Delete expired API tokens",
        "task": "organization.delete_expired_api_tokens",
        "crontab": {"minute": "37", "hour": "*"},
    },
    {
        "name": "Prune idempotency keys older than their TTL",
        "task": "idempotency.prune_idempotency_keys",
        "crontab": {"minute": "7", "hour": "*"},
    },
    {
        "name": "KYC periodic review: expire due KYC and tell the branches",
        "task": "kyc.periodic_review",
        "crontab": {"minute": "30", "hour": "5"},
    },
    {
        "name": "Deliver pending outbox events (retries with backoff)",
        "task": "outbox.deliver_pending_events",
        "crontab": {"minute": "*"},
    },
    {
        # the batch consumer of money.moved (docs/compliance/monitoring.md, "Batched delivery")
        "name": "Compliance: monitor money movements in batches",
        "task": "compliance.drain_money_movements",
        "interval": {"every": 2, "period": "seconds"},
    },
    {
        "name": "Compliance: evaluate again the movements and windows a typology failed on",
        "task": "compliance.retry_failed_evaluations",
        "crontab": {"minute": "*/5"},
    },
    {
        "name": "Score loan applications again that wait for the credit bureau",
        "task": "loans.score_waiting_applications",
        "crontab": {"minute": "*/10"},
    },
    {
        "name": "Carry out backtests whose message was lost; fail those whose worker stopped",
        "task": "compliance.run_backtests_left_behind",
        "crontab": {"minute": "*/10"},
    },
    {
        "name": "End of day: close the business date, accrue and post interest, seal the ledger",
        "task": "eod.run_end_of_day",
        "crontab": {"minute": "0", "hour": "23"},
    },
]
