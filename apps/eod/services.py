"""Running end of day, and moving the bank's business date (the only place it moves)."""

from __future__ import annotations

import contextlib
import datetime
import logging
import time
import zlib
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from apps.advisory_locks import release_session_lock, try_session_lock
from apps.domain_errors import PermissionRefused
from apps.eod.errors import (
    EodAlreadyRunning,
    EodDateClosed,
    EodDateNotCurrent,
    EodRefused,
    EodRunStartedMeanwhile,
    EodRunUnfinished,
)
from apps.eod.models import EodAttempt, EodRun, EodStepRun
from apps.eod_registry import registered_steps
from apps.organization.models import Bank, User
from apps.organization.selectors import BankNotConfigured

logger = logging.getLogger(__name__)
ONE_DAY = datetime.timedelta(days=1)
_LOCK_KEY = zlib.crc32(b"ogpgy:end-of-day")
Progress = Callable[[str, EodStepRun], None]


@transaction.atomic
def advance_business_date(*, to: datetime.date, actor: User | None = None) -> Bank:
    """Move the bank's business date forward to ``to`` (never back), under the Bank row's lock."""
    bank = Bank.objects.select_for_update().order_by("pk").first()
    if bank is None:
        raise BankNotConfigured("No bank is configured yet.")
    if to <= bank.current_business_date:
        raise EodRefused(f"The business date is {bank.current_business_date}; it only moves forward.",
                         code="business_date_not_forward")
    bank.current_business_date = to
    bank._history_user = actor
    bank.save(update_fields=["current_business_date"])
    return bank


@contextlib.contextmanager
def _exclusive():
    """One end of day at a time across processes (a session advisory lock, apps.advisory_locks)."""
    if not try_session_lock(_LOCK_KEY):
        raise EodAlreadyRunning("Another end of day is running.")
    try:
        yield
    finally:
        release_session_lock(_LOCK_KEY)


@transaction.atomic
def _open_run(business_date: datetime.date | None, actor: User, *, confirmed: bool = False,
              attempts_seen: int | None = None, door: str = EodAttempt.Door.SERVICE) -> EodRun:
    """Resume the unfinished run, or close ``business_date`` (default: the current one) and start its run.

    Closing moves the business date to the next day first, so that the counters' new transactions land on the
    next date while the steps process a day nobody posts to any more. ``confirmed``: someone confirmed closing
    exactly ``business_date`` on a screen; under the Bank row's lock it must still be the date to close (the
    unfinished run's, or the current one), else nothing runs. ``attempts_seen``: how many attempts the screen
    showed for that date's unfinished run (0: none was unfinished); another start or resume since then refuses
    (the page was stale, or was submitted twice). Each start and each resume is an ``EodAttempt`` naming
    ``actor`` and the ``door`` it came through.
    """
    bank = Bank.objects.select_for_update().order_by("pk").first()
    if bank is None:
        raise BankNotConfigured("No bank is configured yet.")
    unfinished = EodRun.objects.exclude(status=EodRun.Status.COMPLETED).order_by("business_date").first()
    if unfinished is not None:
        if business_date is not None and business_date != unfinished.business_date:
            raise EodRunUnfinished(f"The end of day of {unfinished.business_date} is {unfinished.status}: "
                                   "resume it (run_eod without --date) before closing another date.")
        if attempts_seen is not None and attempts_seen != unfinished.attempts:
            raise EodRunStartedMeanwhile(
                f"The end of day of {unfinished.business_date} was started or resumed meanwhile (attempt "
                f"{unfinished.attempts}, {unfinished.get_status_display().lower()}): its page shows its progress.",
                run=unfinished.pk)
        unfinished.status = EodRun.Status.RUNNING
        unfinished.attempts += 1
        unfinished.save(update_fields=["status", "attempts"])
        EodAttempt.objects.create(run=unfinished, number=unfinished.attempts, started_by=actor, door=door)
        return unfinished
    day = business_date or bank.current_business_date
    if confirmed and day != bank.current_business_date:
        raise EodDateNotCurrent(f"The business date to close is now {bank.current_business_date}, not {day}: "
                                "someone closed the day meanwhile, or the page was stale.",
                                business_date=bank.current_business_date.isoformat())
    done = EodRun.objects.filter(business_date=day).first()
    if done is not None:
        done.already_completed = True
        return done
    if day < bank.current_business_date:
        raise EodDateClosed(f"{day} is before the current business date {bank.current_business_date}: "
                            "it is already closed.")
    run = EodRun.objects.create(business_date=day, next_business_date=day + ONE_DAY, started_by=actor)
    EodAttempt.objects.create(run=run, number=run.attempts, started_by=actor, door=door)
    EodStepRun.objects.bulk_create(EodStepRun(run=run, position=position, name=step.name)
                                   for position, step in enumerate(registered_steps(), start=1))
    advance_business_date(to=day + ONE_DAY, actor=actor)
    return run


def may_run_end_of_day(user: User) -> bool:
    """Who may close the business date by hand: the operations role (``eod.run_end_of_day``)."""
    return bool(user and user.has_perm("eod.run_end_of_day"))


def open_run_confirmed_by_staff(*, business_date: datetime.date, attempts_seen: int, actor: User) -> EodRun:
    """Staff close the business date they confirmed on the admin's end-of-day screen: open its run (or resume
    that date's unfinished run) and return it, for a worker to carry out (``carry_out_run``).

    Only a role with ``eod.run_end_of_day`` (operations) may; the run records them as ``started_by``. The date
    must still be the one to close, and its unfinished run (if any) at the attempt the page showed: a second
    submit of the same page, or a page left open over the nightly run, is refused and opens nothing. Refused
    too while another process runs end of day. The screen's operation (``apps.eod.screen``) calls this and
    then sends the run to a worker once it is committed.
    """
    if not may_run_end_of_day(actor):
        raise PermissionRefused("Your role may not run end of day.")
    with _exclusive():
        return _open_run(business_date, actor, confirmed=True, attempts_seen=attempts_seen,
                         door=EodAttempt.Door.SCREEN)


def carry_out_run(*, run_id: int, progress: Progress | None = None) -> EodRun:
    """Run the steps of an opened run (the end-of-day screen's, in a worker), from its first unfinished step.

    Idempotent: a run that is no longer running (completed, or stopped at a failed step under another runner)
    is left as it is, since resuming a failed run is a person's decision. Refused (EodAlreadyRunning) while
    another process runs end of day: that one carries this run out (there is only ever one unfinished run).
    Call it outside a transaction (the task does) so each step commits on its own.
    """
    with _exclusive():
        run = EodRun.objects.get(pk=run_id)
        if run.status != EodRun.Status.RUNNING:
            return run
        return _carry_out(run, progress)


def run_eod(*, business_date: datetime.date | None = None, actor: User | None = None,
            progress: Progress | None = None, door: str = EodAttempt.Door.SERVICE) -> EodRun:
    """Close a business date and run every registered step in order, each in its own transaction.

    A step that raises is recorded as failed with its error and the run stops (status failed); running again
    resumes from that step, skipping the completed ones. Running for a date already completed changes nothing.
    ``door``: where it was started (recorded with ``actor`` on the run's attempt, so a resume says who resumed
    it). Call it outside a transaction (command, task) so each step commits on its own.
    """
    with _exclusive():
        run = _open_run(business_date, actor, door=door)
        if getattr(run, "already_completed", False):
            return run
        return _carry_out(run, progress)


def _carry_out(run: EodRun, progress: Progress | None) -> EodRun:
    """The steps of ``run``, in order, skipping those completed; the caller holds the end-of-day lock."""
    for position, step in enumerate(registered_steps(), start=1):
        step_run, _ = EodStepRun.objects.get_or_create(run=run, name=step.name, defaults={"position": position})
        if step_run.status == EodStepRun.Status.COMPLETED:
            if progress:
                progress("skipped", step_run)
            continue
        step_run.status, step_run.started_at, step_run.error = EodStepRun.Status.RUNNING, timezone.now(), ""
        step_run.attempts += 1
        step_run.save(update_fields=["status", "started_at", "error", "attempts"])
        if progress:
            progress("started", step_run)
        began = time.monotonic()
        try:
            with transaction.atomic():
                counts = step.function(run.business_date) or {}
        except Exception as error:
            logger.exception("End of day %s: step %s failed", run.business_date, step.name)
            step_run.status, step_run.error = EodStepRun.Status.FAILED, f"{type(error).__name__}: {error}"
            step_run.finished_at = timezone.now()
            step_run.duration_ms = int((time.monotonic() - began) * 1000)
            step_run.save(update_fields=["status", "error", "finished_at", "duration_ms"])
            run.status = EodRun.Status.FAILED
            run.save(update_fields=["status"])
            if progress:
                progress("failed", step_run)
            return run
        step_run.status, step_run.counts = EodStepRun.Status.COMPLETED, counts
        step_run.finished_at = timezone.now()
        step_run.duration_ms = int((time.monotonic() - began) * 1000)
        step_run.save(update_fields=["status", "counts", "finished_at", "duration_ms"])
        if progress:
            progress("completed", step_run)
    run.status, run.finished_at = EodRun.Status.COMPLETED, timezone.now()
    run.save(update_fields=["status", "finished_at"])
    return run
