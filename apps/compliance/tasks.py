from celery import shared_task

from apps.compliance.services.end_of_day import retry_failed_evaluations


@shared_task(name="compliance.retry_failed_evaluations", time_limit=600, soft_time_limit=600 - 10)
def retry_failed_evaluations_task() -> dict:
    return retry_failed_evaluations()
