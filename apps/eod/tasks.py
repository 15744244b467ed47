import logging

from celery import shared_task

from apps.eod.errors import EodAlreadyRunning
from apps.eod.models import EodAttempt
from apps.eod.services import carry_out_run, run_eod
from apps.organization.models import User

logger = logging.getLogger(__name__)
END_OF_DAY_TIME_LIMIT = 4 * 60 * 60


@shared_task(name="eod.run_end_of_day", time_limit=END_OF_DAY_TIME_LIMIT, soft_time_limit=END_OF_DAY_TIME_LIMIT - 60,
             records_starter=True)
def run_end_of_day(started_by_id: int | None = None) -> dict:
    """Nightly: close the current business date (or resume an unfinished run).

    ``started_by_id``: the staff member who ran it now from the admin (apps.organization.services.
    run_periodic_tasks_now passes it); the run records them as its starter. The nightly schedule passes none."""
    started_by = User.objects.get(pk=started_by_id) if started_by_id is not None else None
    door = EodAttempt.Door.SCHEDULE if started_by is None else EodAttempt.Door.RUN_NOW
    run = run_eod(actor=started_by, door=door)
    return {"business_date": run.business_date.isoformat(), "status": run.status}


@shared_task(name="eod.carry_out_end_of_day", time_limit=END_OF_DAY_TIME_LIMIT,
             soft_time_limit=END_OF_DAY_TIME_LIMIT - 60)
def carry_out_end_of_day(run_id: int) -> dict:
    """The steps of the run the end-of-day screen opened (apps.eod.screen); idempotent (``carry_out_run``)."""
    try:
        run = carry_out_run(run_id=run_id)
    except EodAlreadyRunning:
        logger.info("End-of-day run %s: another process runs end of day; it carries this run out.", run_id)
        return {"run": run_id, "status": "carried_out_elsewhere"}
    return {"run": run_id, "business_date": run.business_date.isoformat(), "status": run.status}
