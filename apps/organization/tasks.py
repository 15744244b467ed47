from celery import shared_task

from apps.organization.services import expire_stale_requests


@shared_task(name="organization.expire_stale_approval_requests", time_limit=300)
def expire_stale_approval_requests() -> int:
    return expire_stale_requests()
