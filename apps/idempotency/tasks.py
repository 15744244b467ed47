from celery import shared_task

from apps.idempotency.services import prune_idempotency_keys


@shared_task(name="idempotency.prune_idempotency_keys", time_limit=600)
def prune_idempotency_keys_task() -> int:
    return prune_idempotency_keys()
