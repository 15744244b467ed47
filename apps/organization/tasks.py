from celery import shared_task

from apps.organization.api_tokens import delete_expired_api_tokens
from apps.organization.services import expire_stale_requests


@shared_task(name="organization.expire_stale_approval_requests", time_limit=300)
def expire_stale_approval_requests() -> int:
    return expire_stale_requests()


@shared_task(name="organization.delete_expired_api_tokens", time_limit=300)
def delete_expired_api_tokens_task() -> int:
    """Returns how many expired API tokens it deleted (knox deletes one only when someone presents it)."""
    return delete_expired_api_tokens()
