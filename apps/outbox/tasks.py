from celery import shared_task

from apps.outbox import services


@shared_task(name="outbox.deliver_event", time_limit=120, soft_time_limit=120 - 10)
def deliver_outbox_event(event_id: int) -> None:
    services.deliver_event(event_id=event_id)


@shared_task(name="outbox.deliver_pending_events", time_limit=600, soft_time_limit=600 - 10)
def deliver_pending_outbox_events() -> int:
    return services.deliver_pending_events()
