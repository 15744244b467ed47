from celery import shared_task

from apps.eod.services import run_eod


@shared_task(name="eod.run_end_of_day", time_limit=4 * 60 * 60, soft_time_limit=4 * 60 * 60 - 60)
def run_end_of_day() -> dict:
    """Nightly: close the current business date (or resume an unfinished run)."""
    run = run_eod()
    return {"business_date": run.business_date.isoformat(), "status": run.status}
