"""The end-of-day screen's operation: operations confirm a business date, its run opens in the request, and a
worker carries the steps out, so the run's page shows each step's progress while it runs.

A module of its own because it sends the task (``apps.eod.tasks``), which calls the services: services, then
tasks, then this, a line rather than a circle. In the embedded mode Celery is eager and the steps run at the
commit, in the request, as before.
"""

from __future__ import annotations

import datetime

from apps.eod.models import EodRun
from apps.eod.services import open_run_confirmed_by_staff
from apps.eod.tasks import carry_out_end_of_day
from apps.organization.models import User
from apps.outbox.broker import send_task_on_commit


def start_eod_confirmed_by_staff(*, business_date: datetime.date, attempts_seen: int, actor: User) -> EodRun:
    """Open (or resume) the run of the business date confirmed on the screen, under the rules of
    ``open_run_confirmed_by_staff`` (operations only; still the date to close, at the attempt the page showed),
    and send it to a worker once committed (never from inside an open transaction). Returns the run, for its
    page to follow."""
    run = open_run_confirmed_by_staff(business_date=business_date, attempts_seen=attempts_seen, actor=actor)
    if run.status == EodRun.Status.RUNNING:
        send_task_on_commit(carry_out_end_of_day, run.pk,
                            backstop="the run waits, unfinished, for its resume: on the end-of-day screen, by "
                                     "run_eod, or by the nightly schedule")
    return run
