from celery import shared_task

from apps.eod.models import EodAttempt
from apps.eod.services import run_eod
from apps.organization.models import User


@shared_task(name="eod.run_end_of_day", time_limit=4 * 60 * 60, soft_time_limit=4 * 60 * 60 - 60,
             records_starter=True)
def run_end_of_day(started_by_id: int | None = None) -> dict:
    """Nightly: close the current business date (or resume an unfinished run).

    ``started_by_id``: the staff member who ran it now from the admin (apps.organization.services.
    run_periodic_tasks_now passes it); the run records them as its starter. The nightly schedule passes none."""
    started_by = User.objects.get(pk=started_by_id) if started_by_id is not None else None
    door = EodAttempt.Door.SCHEDULE if started_by is None else EodAttempt.Door.RUN_NOW
    run = run_eod(actor=started_by, door=door)
    return {"business_date": run.business_date.isoformat(), "status": run.status}
