"""Writes about the bank's organization: branches, staff, roles, maker-checker decisions, and the beat schedules
of the bank's batch work."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from celery import current_app
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_celery_beat.models import PeriodicTask, PeriodicTasks
from kombu.utils.json import loads

from apps.domain_errors import DomainError, PermissionRefused
from apps.organization.approvals import decides_any_request, get_operation, may_decide
from apps.organization.branch_scope import is_bank_wide
from apps.organization.errors import (
    CheckerIsMaker,
    NotAllowedToChangeSchedules,
    NotAllowedToDecide,
    RequestNotPending,
    ScheduleRefused,
)
from apps.organization.models import ApprovalRequest, Bank, Branch, User
from apps.organization.roles import ALL_ROLES, BANK_WIDE_ROLES
from apps.outbox.broker import send_task


class InvalidStaffData(DomainError):
    code = "invalid_staff_data"


@transaction.atomic
def open_branch(*, bank: Bank, code: str, name: str, is_head_office: bool = False, address: str = "",
                actor: User | None = None) -> Branch:
    """Open a branch with its staff group (the holder of the branch's object permissions)."""
    group, _ = Group.objects.get_or_create(name=f"Branch staff: {code}")
    branch = Branch(bank=bank, code=code, name=name, is_head_office=is_head_office, address=address,
                    staff_group=group)
    branch._history_user = actor
    branch.full_clean()
    branch.save()
    return branch


@transaction.atomic
def create_staff_user(*, username: str, password: str, role: str, home_branch: Branch | None,
                      first_name: str = "", last_name: str = "", email: str = "", actor: User | None = None) -> User:
    """A staff member in one role. Branch roles need a home branch; bank-wide roles may have one."""
    if role not in ALL_ROLES:
        raise InvalidStaffData(f"Unknown role {role!r}; roles are {', '.join(ALL_ROLES)}.", code="unknown_role")
    if role not in BANK_WIDE_ROLES and home_branch is None:
        raise InvalidStaffData(f"A {role} works in a branch: give a home branch.", code="home_branch_required")
    user = User(username=username, first_name=first_name, last_name=last_name, email=email,
                home_branch=home_branch, is_staff=True)
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise InvalidStaffData(" ".join(error.messages), code="weak_password") from None
    user.set_password(password)
    user._history_user = actor
    user.save()
    assign_role(user=user, role=role, actor=actor)
    return user


@transaction.atomic
def assign_role(*, user: User, role: str, actor: User | None = None) -> None:
    """Put the user in the role's group, and in their home branch's staff group."""
    user.groups.add(Group.objects.get(name=role))
    if user.home_branch_id and user.home_branch.staff_group_id:
        user.groups.add(user.home_branch.staff_group)


@transaction.atomic
def move_staff_to_branch(*, user: User, branch: Branch, actor: User) -> User:
    """Change a staff member's home branch: they lose the old branch's rows and gain the new one's."""
    if user.home_branch_id and user.home_branch.staff_group_id:
        user.groups.remove(user.home_branch.staff_group)
    user.home_branch = branch
    user._history_user = actor
    user.save(update_fields=["home_branch"])
    if branch.staff_group_id:
        user.groups.add(branch.staff_group)
    return user


# --- maker-checker ---------------------------------------------------------------------------------------


@transaction.atomic
def request_approval(*, operation: str, parameters: dict[str, Any], summary: str, maker: User,
                     branch: Branch | None = None, now: datetime.datetime | None = None) -> ApprovalRequest:
    """Record a sensitive operation for a second person to approve. Nothing runs yet."""
    registered = get_operation(operation)
    if not maker.has_perm(registered.permission):
        raise PermissionRefused(f"You may not request {operation}.")
    now = now or timezone.now()
    request = ApprovalRequest(
        operation=operation, parameters=parameters, summary=summary[:300], maker=maker,
        branch=branch or maker.home_branch, expires_at=now + settings.APPROVAL_REQUEST_TTL,
    )
    request._history_user = maker
    request.save()
    return request


def _lock_pending(request: ApprovalRequest, checker: User, now: datetime.datetime) -> ApprovalRequest:
    request = ApprovalRequest.objects.select_for_update().get(pk=request.pk)
    if request.state != ApprovalRequest.State.PENDING:
        raise RequestNotPending(f"Request #{request.pk} is {request.state}.")
    if request.is_expired_at(now):
        raise RequestNotPending(f"Request #{request.pk} expired at {request.expires_at:%Y-%m-%d %H:%M} UTC.")
    if checker.pk == request.maker_id:
        raise CheckerIsMaker("You made this request: another person must decide it.")
    if not decides_any_request(checker):
        raise NotAllowedToDecide("Your role may not decide approval requests.")
    if not may_decide(checker, request.operation):
        raise NotAllowedToDecide(f"Your role may not decide {request.operation} requests.")
    if request.branch_id and not is_bank_wide(checker) and checker.home_branch_id != request.branch_id:
        raise NotAllowedToDecide("This request belongs to another branch.")
    return request


def approve_request(*, request: ApprovalRequest, checker: User,
                    now: datetime.datetime | None = None) -> ApprovalRequest:
    """Approve and run the operation through its service, in the same transaction.

    A refused decision (the maker deciding, another branch, not pending, or the operation's own rule on who may
    approve it: a PermissionRefused from its runner) records nothing and raises. If the
    operation itself is refused when it runs (a domain error), nothing of it is kept (it ran in a savepoint) and
    the request ends ``failed`` with the refusal in words; that is committed, then the refusal is raised to the
    caller as it was (the API answers with the operation's own problem, the admin shows it). A caller inside a
    transaction of its own keeps the failure only if it catches the refusal (the admin's doors do).
    """
    decided, refusal = _approve_or_record_failure(request=request, checker=checker, now=now or timezone.now())
    if refusal is not None:
        raise refusal
    return decided


@transaction.atomic
def _approve_or_record_failure(*, request: ApprovalRequest, checker: User,
                               now: datetime.datetime) -> tuple[ApprovalRequest, DomainError | None]:
    request = _lock_pending(request, checker, now)
    operation = get_operation(request.operation)
    request.checker = checker
    request.decided_at = now
    request._history_user = checker
    try:
        with transaction.atomic():  # a savepoint: a refused operation leaves nothing behind
            result = operation.run(parameters=request.parameters, actor=checker, maker=request.maker)
    except PermissionRefused:
        raise  # the operation's own rule on who may approve it: a refused decision, the request stays pending
    except DomainError as refusal:
        request.state = ApprovalRequest.State.FAILED
        request.failure_reason = str(refusal)
        request.result = {"error_code": refusal.code}
        request.save()
        return request, refusal
    request.state = ApprovalRequest.State.APPROVED
    request.result = result or {}
    request.save()
    return request, None


@transaction.atomic
def reject_request(*, request: ApprovalRequest, checker: User, reason: str,
                   now: datetime.datetime | None = None) -> ApprovalRequest:
    if not reason.strip():
        raise DomainError("Say why the request is rejected.", code="reason_required")
    now = now or timezone.now()
    request = _lock_pending(request, checker, now)
    request.state = ApprovalRequest.State.REJECTED
    request.checker = checker
    request.decision_reason = reason
    request.decided_at = now
    request._history_user = checker
    request.save()
    return request


@transaction.atomic
def expire_stale_requests(*, now: datetime.datetime | None = None) -> int:
    """Mark pending requests past their deadline as expired; returns how many."""
    now = now or timezone.now()
    stale = list(ApprovalRequest.objects.select_for_update(skip_locked=True)
                 .filter(state=ApprovalRequest.State.PENDING, expires_at__lte=now))
    for request in stale:
        request.state = ApprovalRequest.State.EXPIRED
        request.save(update_fields=["state"])
    return len(stale)


# --- beat schedules -------------------------------------------------------------------------------------
# django-celery-beat's periodic tasks are the bank's batch calendar (end of day, polling, pruning). Only
# operations changes or runs them (the permission below, held by that role alone); each change and each run is
# an admin log entry with who did it (the object's "History" in the admin), written in the same transaction.

BEAT_CHANGE_PERMISSION = "django_celery_beat.change_periodictask"
# A Celery task that records who started it declares ``records_starter=True`` and takes ``started_by_id``.
STARTER_KWARG = "started_by_id"


def _ensure_may_change_schedules(actor: User) -> None:
    if not actor.is_active or not actor.has_perm(BEAT_CHANGE_PERMISSION):
        raise NotAllowedToChangeSchedules("Only operations may change or run the beat schedules.")


def _log_schedule_action(*, actor: User, task: PeriodicTask, message: str | list) -> None:
    LogEntry.objects.create(
        user=actor, content_type=ContentType.objects.get_for_model(PeriodicTask, for_concrete_model=False),
        object_id=str(task.pk), object_repr=str(task)[:200], action_flag=CHANGE, change_message=message)


@transaction.atomic
def set_periodic_tasks_enabled(*, tasks: QuerySet[PeriodicTask], enabled: bool | None, actor: User) -> int:
    """Enable (True), disable (False) or toggle (None) periodic tasks; returns how many changed.

    Each task is saved on its own (beat's bulk update would leave no trace), under its row lock, with an admin
    log entry naming the actor; beat reloads its schedule at its next tick."""
    _ensure_may_change_schedules(actor)
    changed = 0
    locked = PeriodicTask.objects.select_for_update().filter(pk__in=list(tasks.values_list("pk", flat=True)))
    for task in locked.order_by("pk"):
        becomes = (not task.enabled) if enabled is None else enabled
        if becomes == task.enabled:
            continue
        task.enabled = becomes
        task.save()  # PeriodicTask.save clears last_run_at of a disabled task and marks the schedule changed
        _log_schedule_action(actor=actor, task=task, message=[{"changed": {"fields": ["Enabled"]}}])
        changed += 1
    PeriodicTasks.update_changed()
    return changed


@dataclass(frozen=True)
class RunNowOutcome:
    """What "run now" did: the Celery task ids the broker took (``sent``), and the periodic tasks it did not take
    (``not_sent``: the broker was unreachable; they did not run)."""

    sent: list[str]
    not_sent: list[PeriodicTask]


def run_periodic_tasks_now(*, tasks: QuerySet[PeriodicTask], actor: User) -> RunNowOutcome:
    """Send each periodic task's Celery task now, with its stored arguments and queue.

    Recorded first (an admin log entry per task naming the actor and the Celery task id), in a transaction of its
    own (durable: never inside a caller's, so nothing is sent before the record commits); then each task is
    sent. A task the broker does not take (unreachable) gets a second log entry saying it was not sent and did
    not run, and is returned in ``not_sent`` for the caller to tell the operator. A task that records its
    starter (``records_starter``, e.g. end of day) is given the actor's id, so the run it starts says who
    started it."""
    with transaction.atomic(durable=True):
        planned = _record_run_now(tasks=tasks, actor=actor)
    sent, not_sent = [], []
    for task, celery_task, args, kwargs, options in planned:
        if send_task(celery_task, *args, kwargs=kwargs, **options,
                     backstop="its schedule runs it when next due; run it again from the admin once the broker is up"):
            sent.append(options["task_id"])
        else:
            not_sent.append((task, options["task_id"]))
    if not_sent:
        with transaction.atomic():
            for task, task_id in not_sent:
                _log_schedule_action(actor=actor, task=task, message=(
                    f"Run now from the admin NOT sent (Celery task {task_id}): the broker was unreachable, "
                    "so it did not run."))
    return RunNowOutcome(sent=sent, not_sent=[task for task, _ in not_sent])


def _record_run_now(*, tasks: QuerySet[PeriodicTask], actor: User) -> list[tuple]:
    _ensure_may_change_schedules(actor)
    current_app.loader.import_default_modules()
    planned = []
    for task in tasks.order_by("pk"):
        celery_task = current_app.tasks.get(task.task)
        if celery_task is None:
            raise ScheduleRefused(f"Task {task.task!r} of {task.name!r} is not registered.", code="beat_task_unknown")
        kwargs = loads(task.kwargs or "{}")
        if getattr(celery_task, "records_starter", False):
            kwargs[STARTER_KWARG] = actor.pk
        task_id = str(uuid.uuid4())
        options = {"task_id": task_id, "headers": {"periodic_task_name": task.name}}
        if task.queue:
            options["queue"] = task.queue
        planned.append((task, celery_task, loads(task.args or "[]"), kwargs, options))
        _log_schedule_action(actor=actor, task=task,
                             message=f"Run now requested from the admin (Celery task {task_id}).")
    return planned
