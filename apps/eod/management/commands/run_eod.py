"""Close the business date and run the end-of-day steps, printing each step as it goes.

    manage.py run_eod                    # the current business date (or resume an unfinished run)
    manage.py run_eod --date 2026-11-23  # that date (the current one, a later one after skipped days, or the
                                         # date of the unfinished run)

Exit status 1 when a step fails; running again resumes from the failed step.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from apps.domain_errors import DomainError
from apps.eod.models import EodAttempt, EodRun
from apps.eod.services import run_eod
from apps.eod_registry import registered_steps


class Command(BaseCommand):
    help = "Run end of day: close the business date, run every registered step, seal the ledger."

    def add_arguments(self, parser):
        parser.add_argument("--date", type=datetime.date.fromisoformat, default=None,
                            help="Business date to close (YYYY-MM-DD); default: the current one.")

    def handle(self, *args, **options):
        total = len(registered_steps())

        def progress(event, step_run):
            prefix = f"[{step_run.position}/{total}] {step_run.name}"
            if event == "started":
                self.stdout.write(f"{prefix} ...")
            elif event == "skipped":
                self.stdout.write(f"{prefix} already done")
            elif event == "completed":
                counts = ", ".join(f"{k}={v}" for k, v in step_run.counts.items()) or "nothing to do"
                self.stdout.write(f"{prefix} done in {step_run.duration_ms} ms ({counts})")
            else:
                self.stderr.write(f"{prefix} FAILED: {step_run.error}")

        try:
            run = run_eod(business_date=options["date"], progress=progress, door=EodAttempt.Door.COMMAND)
        except DomainError as error:
            raise CommandError(str(error)) from None
        if getattr(run, "already_completed", False):
            self.stdout.write(f"End of day {run.business_date} was already completed; nothing to do.")
            return
        if run.status != EodRun.Status.COMPLETED:
            self.stderr.write(self.style.ERROR(f"End of day {run.business_date} failed; run again to resume."))
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS(
            f"End of day {run.business_date} completed; the business date is now {run.next_business_date}."))
