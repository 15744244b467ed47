"""Reads about end of day: recent runs with their steps, the day the next run closes."""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from apps.eod.models import EodRun, EodStepRun
from apps.eod_registry import EodStep, OpenItem, open_items, registered_steps
from apps.organization.selectors import current_business_date


def recent_runs(limit: int = 10) -> QuerySet[EodRun]:
    return EodRun.objects.select_related("started_by").prefetch_related(
        Prefetch("steps", queryset=EodStepRun.objects.order_by("position")))[:limit]


def last_run() -> EodRun | None:
    """The latest end-of-day run (by the date it closes), with who started it and its steps."""
    return (EodRun.objects.select_related("started_by")
            .prefetch_related(Prefetch("steps", queryset=EodStepRun.objects.order_by("position")))
            .order_by("-business_date").first())


@dataclass(frozen=True)
class DayToClose:
    """What the end-of-day screen offers to close: the date, the run it resumes (if one is unfinished), the
    date the bank moves to, the steps that will run, and the open items the domains report."""

    business_date: datetime.date
    next_business_date: datetime.date
    unfinished_run: EodRun | None
    steps: list[EodStep]
    open_items: list[OpenItem]


def day_to_close() -> DayToClose:
    """The unfinished run's date (end of day resumes it), or else the bank's current business date."""
    unfinished = (EodRun.objects.exclude(status=EodRun.Status.COMPLETED).select_related("started_by")
                  .prefetch_related(Prefetch("steps", queryset=EodStepRun.objects.order_by("position")))
                  .order_by("business_date").first())
    day = unfinished.business_date if unfinished else current_business_date()
    return DayToClose(business_date=day, next_business_date=day + datetime.timedelta(days=1),
                      unfinished_run=unfinished, steps=registered_steps(), open_items=open_items(day))


def counts_in_words(counts: dict) -> str:
    """A step's counts as people read them: {"credited": 3, "charged": 1, "entries": 1} -> "3 credited, 1 charged,
    1 entry". Empty: the step reported nothing."""
    words = []
    for name, value in counts.items():
        label = str(name).replace("_", " ")
        if isinstance(value, int) and not isinstance(value, bool):
            if value == 1 and label.endswith("ies"):
                label = label[:-3] + "y"
            elif value == 1 and label.endswith("s") and not label.endswith("ss"):
                label = label[:-1]
            words.append(f"{value:,} {label}")
        else:
            words.append(f"{label}: {value}")
    return ", ".join(words)


@dataclass(frozen=True)
class StepProgress:
    position: int
    name: str
    status: str
    status_display: str
    counts: str
    duration: str
    attempts: int
    error: str


@dataclass(frozen=True)
class RunProgress:
    """Where a run is: each step's status, its counts in words, its duration and error; what the run's page shows
    and its progress endpoint answers while a worker carries it out."""

    run_id: int
    business_date: datetime.date
    next_business_date: datetime.date
    status: str
    status_display: str
    finished: bool
    steps: list[StepProgress]

    @property
    def steps_done(self) -> int:
        return sum(step.status == EodStepRun.Status.COMPLETED for step in self.steps)

    def as_json(self) -> dict:
        return {"run": self.run_id, "business_date": self.business_date.isoformat(),
                "next_business_date": self.next_business_date.isoformat(), "status": self.status,
                "status_display": self.status_display, "finished": self.finished, "steps_done": self.steps_done,
                "steps_total": len(self.steps), "steps": [step.__dict__ for step in self.steps]}


def _duration(step: EodStepRun) -> str:
    if step.duration_ms is None:
        return ""
    return f"{step.duration_ms} ms" if step.duration_ms < 1000 else f"{step.duration_ms / 1000:.1f} s"


def run_progress(run_id: int) -> RunProgress | None:
    """The progress of run ``run_id`` (None if there is none), in two queries whatever its number of steps."""
    run = EodRun.objects.prefetch_related(Prefetch("steps", queryset=EodStepRun.objects.order_by("position"))).filter(
        pk=run_id).first()
    if run is None:
        return None
    steps = [StepProgress(position=step.position, name=step.name, status=step.status,
                          status_display=step.get_status_display(), counts=counts_in_words(step.counts or {}),
                          duration=_duration(step), attempts=step.attempts, error=step.error)
             for step in run.steps.all()]
    return RunProgress(run_id=run.pk, business_date=run.business_date, next_business_date=run.next_business_date,
                       status=run.status, status_display=run.get_status_display(),
                       finished=run.status != EodRun.Status.RUNNING, steps=steps)
