"""Beat schedules in the admin: only operations changes or runs them, and each change or run says who did it.

The issue: the read-only auditor disabled a periodic task and ran end of day with "Run selected tasks"
(business date 2026-12-02 -> 2026-12-03), and the run recorded no starter.
"""

import datetime
import io

import pytest
from django.contrib.admin import helpers
from django.contrib.admin.models import LogEntry
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from apps.domain_errors import PermissionRefused
from apps.eod.models import EodRun
from apps.organization.models import Bank
from apps.organization.services import run_periodic_tasks_now, set_periodic_tasks_enabled

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:django_celery_beat_periodictask_changelist")
CLOSING = datetime.date(2026, 12, 2)
EOD_TASK = "eod.run_end_of_day"


@pytest.fixture
def schedules(bank):
    Bank.objects.filter(pk=bank.pk).update(current_business_date=CLOSING)
    call_command("install_beat_schedules", stdout=io.StringIO())
    return PeriodicTask.objects.exclude(task="celery.backend_cleanup")


@pytest.fixture
def end_of_day(schedules):
    return schedules.get(task=EOD_TASK)


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _action(user, action, task):
    return _client(user).post(CHANGELIST, {"action": action, helpers.ACTION_CHECKBOX_NAME: [task.pk], "index": 0})


def _business_date():
    return Bank.objects.get().current_business_date


def test_the_auditor_may_view_the_schedules(auditor, end_of_day):
    response = _client(auditor).get(CHANGELIST)
    assert response.status_code == 200
    assert b"run_tasks" not in response.content and b"disable_tasks" not in response.content


def test_the_auditors_disable_is_refused_and_changes_nothing(auditor, end_of_day):
    _action(auditor, "disable_tasks", end_of_day)
    end_of_day.refresh_from_db()
    assert end_of_day.enabled
    assert not LogEntry.objects.exists()
    change = reverse("admin:django_celery_beat_periodictask_change", args=[end_of_day.pk])
    assert _client(auditor).post(change, {"name": end_of_day.name, "enabled": ""}).status_code == 403
    end_of_day.refresh_from_db()
    assert end_of_day.enabled


def test_the_auditors_run_is_refused_and_no_end_of_day_runs(auditor, end_of_day,
                                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as sent:
        _action(auditor, "run_tasks", end_of_day)
    assert sent == []
    assert not EodRun.objects.exists()
    assert _business_date() == CLOSING
    assert not LogEntry.objects.exists()


def test_a_teller_does_not_even_see_the_schedules(teller_a, end_of_day):
    assert _client(teller_a).get(CHANGELIST).status_code == 403
    _action(teller_a, "run_tasks", end_of_day)
    assert not EodRun.objects.exists()


def test_operations_disables_a_task_and_the_log_names_them(ops_admin, end_of_day):
    _action(ops_admin, "disable_tasks", end_of_day)
    end_of_day.refresh_from_db()
    assert not end_of_day.enabled
    entry = LogEntry.objects.get(object_id=str(end_of_day.pk))
    assert entry.user == ops_admin and "Enabled" in entry.get_change_message()
    _action(ops_admin, "enable_tasks", end_of_day)
    end_of_day.refresh_from_db()
    assert end_of_day.enabled and LogEntry.objects.filter(user=ops_admin).count() == 2


def test_operations_runs_end_of_day_and_the_run_records_its_starter(ops_admin, end_of_day):
    response = _client(ops_admin).post(CHANGELIST, {"action": "run_tasks", "index": 0,
                                                    helpers.ACTION_CHECKBOX_NAME: [end_of_day.pk]}, follow=True)
    assert "1 task(s) sent" in response.content.decode()
    run = EodRun.objects.get()
    assert (run.business_date, run.status, run.started_by) == (CLOSING, EodRun.Status.COMPLETED, ops_admin)
    assert list(run.attempt_log.values_list("started_by", "door")) == [(ops_admin.pk, "run_now")]
    assert _business_date() == CLOSING + datetime.timedelta(days=1)
    entry = LogEntry.objects.get(object_id=str(end_of_day.pk))
    assert entry.user == ops_admin and "Run now requested" in entry.change_message


def test_the_nightly_schedule_records_no_starter(end_of_day):
    from apps.eod.tasks import run_end_of_day

    run_end_of_day.apply()
    assert EodRun.objects.get().started_by is None
    assert list(EodRun.objects.get().attempt_log.values_list("started_by", "door")) == [(None, "schedule")]


def test_the_services_refuse_a_role_without_the_change_permission_as_a_command_would_call_them(
        auditor, compliance_officer, schedules, django_capture_on_commit_callbacks):
    for actor in (auditor, compliance_officer):
        with django_capture_on_commit_callbacks(execute=True) as sent:
            with pytest.raises(PermissionRefused):
                run_periodic_tasks_now(tasks=schedules, actor=actor)
            with pytest.raises(PermissionRefused):
                set_periodic_tasks_enabled(tasks=schedules, enabled=False, actor=actor)
        assert sent == []
    assert not schedules.filter(enabled=False).exists()
    assert not EodRun.objects.exists() and not LogEntry.objects.exists()


def test_nobody_deletes_a_periodic_task_from_the_admin(ops_admin, end_of_day):
    delete = reverse("admin:django_celery_beat_periodictask_delete", args=[end_of_day.pk])
    assert _client(ops_admin).post(delete, {"post": "yes"}).status_code == 403
    assert PeriodicTask.objects.filter(pk=end_of_day.pk).exists()


def test_a_stored_argument_cannot_name_the_starter_of_the_nightly_run(ops_admin, auditor, end_of_day):
    change = reverse("admin:django_celery_beat_periodictask_change", args=[end_of_day.pk])
    response = _client(ops_admin).post(change, {
        "name": end_of_day.name, "task": EOD_TASK, "enabled": "on", "crontab": end_of_day.crontab_id,
        "args": "[]", "kwargs": f'{{"started_by_id": {auditor.pk}}}', "expire_seconds": "", "priority": "",
        "headers": "{}"})
    assert response.status_code == 200 and "started_by_id is set by the back office" in response.content.decode()
    end_of_day.refresh_from_db()
    assert end_of_day.kwargs == "{}"


def test_operations_edits_a_task_in_its_form_and_the_log_names_them(ops_admin, end_of_day):
    change = reverse("admin:django_celery_beat_periodictask_change", args=[end_of_day.pk])
    response = _client(ops_admin).post(change, {
        "name": end_of_day.name, "task": EOD_TASK, "enabled": "on", "crontab": end_of_day.crontab_id,
        "args": "[]", "kwargs": "{}", "expire_seconds": "", "priority": "", "headers": "{}",
        "description": "Closes the business date"})
    assert response.status_code == 302, response.content.decode()[:2000]
    end_of_day.refresh_from_db()
    assert end_of_day.description == "Closes the business date"
    assert LogEntry.objects.get(object_id=str(end_of_day.pk)).user == ops_admin


def test_run_now_while_the_broker_is_down_tells_the_operator_which_tasks_were_not_sent(
        ops_admin, schedules, broker_down):
    # given two tasks selected, and a broker that does not answer
    chosen = schedules.filter(task__in=[EOD_TASK, "organization.expire_stale_approval_requests"]).order_by("pk")
    with broker_down():
        # when operations runs them now from the admin
        response = _client(ops_admin).post(CHANGELIST, {"action": "run_tasks", "index": 0,
                                                        helpers.ACTION_CHECKBOX_NAME: [t.pk for t in chosen]},
                                           follow=True)
    # then the page names both as not sent, as an error, and nothing says they were sent or ran
    shown = [(message.level_tag, message.message) for message in response.context["messages"]]
    assert len(shown) == 1
    level, text = shown[0]
    assert level == "error" and "broker is unreachable" in text and "did not run" in text
    assert all(task.name in text for task in chosen)
    assert "sent:" not in response.content.decode()
    # and nothing ran: no end of day, the business date unchanged
    assert not EodRun.objects.exists() and _business_date() == CLOSING
    # and the audit log records, per task, the request and that it was not sent
    for task in chosen:
        messages = list(LogEntry.objects.filter(object_id=str(task.pk), user=ops_admin)
                        .order_by("pk").values_list("change_message", flat=True))
        assert len(messages) == 2
        assert messages[0].startswith("Run now requested")
        assert "NOT sent" in messages[1] and "broker was unreachable" in messages[1]
