"""The admin's end-of-day screen: the date it closes, what is still open, a confirmation; only operations run it,
once, for the date they confirmed, and the run records who started it."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from apps.eod.models import EodAttempt, EodRun, EodStepRun
from apps.eod_registry import register_step, unregister_step
from apps.ledger.models import JournalEntry
from apps.ledger.tests.factories import fund, ledger_account, transfer
from apps.organization.models import Bank
from apps.organization.services import request_approval
from apps.outbox.models import OutboxEvent
from apps.outbox.services import publish_event

pytestmark = pytest.mark.django_db
URL = "/admin/eod/eodrun/close/"


def _business_date():
    return Bank.objects.get().current_business_date


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _confirm(business_date, attempts=0):
    """The screen's form as submitted: the date it showed and the attempts of that date's unfinished run."""
    return {"business_date": business_date.isoformat(), "attempts_seen": str(attempts), "confirm": "on"}


@pytest.fixture
def submit(django_capture_on_commit_callbacks):
    """``submit(client, date)``: post the screen; the run goes to a worker at the commit (eager here: it runs
    then, as in the embedded mode)."""

    def post(client, business_date, attempts=0):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(URL, _confirm(business_date, attempts))

    return post


@pytest.fixture
def open_items(bank, branch_a, manager_a):
    """One approval waiting for a checker and one domain event that failed delivery."""
    alice, bob = ledger_account(branch=branch_a), ledger_account(branch=branch_a)
    fund(alice, "50.00")
    entry = transfer(alice, bob, "20.00", key="mistake")
    request_approval(operation="ledger.reverse_journal_entry", parameters={"entry_id": entry.pk, "reason": "x"},
                     summary="Reverse the mistaken transfer", maker=manager_a)
    event = publish_event("customer.onboarded", {"customer": 1})
    OutboxEvent.objects.filter(pk=event.pk).update(state=OutboxEvent.State.FAILED, attempts=8)


def test_the_screen_is_linked_from_the_admin_index_and_the_runs(ops_admin):
    client = _client(ops_admin)
    assert URL in client.get(reverse("admin:index")).content.decode()
    assert URL in client.get(reverse("admin:eod_eodrun_changelist")).content.decode()
    assert reverse("admin:eod_eodrun_close") == URL


def test_the_screen_shows_the_date_it_closes_and_what_is_still_open(ops_admin, open_items):
    # when
    page = _client(ops_admin).get(URL)
    # then
    assert page.status_code == 200
    html = page.content.decode()
    today = _business_date()
    assert f'id="eod-business-date">{today.isoformat()}<' in html
    assert (today + datetime.timedelta(days=1)).isoformat() in html
    items = {item.label: item.count for item in page.context["day"].open_items}
    assert items["Approval requests waiting for a checker"] == 1
    assert items["Domain events that failed delivery"] == 1
    assert items["Payments held for review"] == 0
    assert "?state__exact=pending" in html and "?state__exact=failed" in html
    assert 'name="confirm"' in html and f'value="{today.isoformat()}"' in html
    assert "eod.seal_ledger" in html


def test_an_auditor_sees_the_screen_but_cannot_run_end_of_day(auditor, bank, submit):
    # given
    today = _business_date()
    client = _client(auditor)
    assert client.get(URL).status_code == 200
    assert 'name="confirm"' not in client.get(URL).content.decode()
    # when
    response = submit(client, today)
    # then nothing ran
    assert response.status_code == 403
    assert _business_date() == today
    assert not EodRun.objects.exists()
    assert Bank.history.filter(current_business_date__gt=today).count() == 0


def test_a_teller_cannot_run_end_of_day(teller_a, bank, submit):
    today = _business_date()
    assert submit(_client(teller_a), today).status_code == 403
    assert _business_date() == today and not EodRun.objects.exists()


def test_operations_run_end_of_day_once_for_the_confirmed_date_and_are_recorded(ops_admin, open_items, submit):
    # given
    today = _business_date()
    client = _client(ops_admin)
    # when
    response = submit(client, today)
    # then
    run = EodRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("admin:eod_eodrun_change", args=[run.pk])
    assert (run.business_date, run.status, run.started_by) == (today, EodRun.Status.COMPLETED, ops_admin)
    assert _business_date() == today + datetime.timedelta(days=1)
    assert Bank.history.filter(current_business_date=today + datetime.timedelta(days=1)).get().history_user == ops_admin
    result = client.get(response["Location"]).content.decode()
    assert f"End of day {today.isoformat()} completed" in result


def test_submitting_the_same_page_twice_closes_the_date_once(ops_admin, bank, submit):
    # given
    today = _business_date()
    client = _client(ops_admin)
    submit(client, today)
    entries = JournalEntry.objects.count()
    # when the page is submitted again
    response = submit(client, today)
    # then
    assert response.status_code == 409
    assert "no longer" in response.content.decode() or "is now" in response.content.decode()
    assert EodRun.objects.count() == 1
    assert _business_date() == today + datetime.timedelta(days=1)
    assert JournalEntry.objects.count() == entries


def test_a_stale_or_later_business_date_is_refused_and_nothing_runs(ops_admin, bank, submit):
    today = _business_date()
    client = _client(ops_admin)
    for wrong in (today - datetime.timedelta(days=1), today + datetime.timedelta(days=3)):
        # when
        response = submit(client, wrong)
        # then
        assert response.status_code == 409
        assert f"is now {today.isoformat()}" in response.content.decode()
        assert _business_date() == today
        assert not EodRun.objects.exists()


def test_without_the_confirmation_nothing_runs(ops_admin, bank):
    today = _business_date()
    response = _client(ops_admin).post(URL, {"business_date": today.isoformat()})
    assert response.status_code == 200
    assert "Tick the confirmation" in response.content.decode()
    assert _business_date() == today and not EodRun.objects.exists()


@pytest.fixture
def failing_step():
    state = {"fail": True}

    def step(business_date):
        if state["fail"]:
            raise RuntimeError("the core banking adapter is down")
        return {"done": 1}

    register_step("test.flaky", step, order=999_999)
    yield state
    unregister_step("test.flaky")


def test_a_failed_run_is_shown_and_resumed_from_the_screen(ops_admin, bank, failing_step, submit):
    # given a run that stopped at a step
    today = _business_date()
    client = _client(ops_admin)
    submit(client, today)
    assert EodRun.objects.get().status == EodRun.Status.FAILED
    # then the screen offers to resume that date, with the failed step
    page = client.get(URL).content.decode()
    assert f'id="eod-business-date">{today.isoformat()}<' in page
    assert "the core banking adapter is down" in page
    # when it is resumed
    failing_step["fail"] = False
    submit(client, today, attempts=1)
    # then
    run = EodRun.objects.get()
    assert run.status == EodRun.Status.COMPLETED and run.attempts == 2
    assert run.steps.get(name="test.flaky").status == EodStepRun.Status.COMPLETED


def test_resuming_a_failed_run_from_the_screen_records_who_resumed_it(ops_admin, ops_checker, bank, failing_step,
                                                                      submit):
    # given: one operations user's run stopped at a step
    today = _business_date()
    submit(_client(ops_admin), today)
    run = EodRun.objects.get()
    assert run.status == EodRun.Status.FAILED
    # when a second operations user resumes it from the screen
    failing_step["fail"] = False
    response = submit(_client(ops_checker), today, attempts=1)
    # then the run keeps its starter and records the resumer, attempt by attempt
    run.refresh_from_db()
    assert run.status == EodRun.Status.COMPLETED and run.started_by == ops_admin
    attempts = list(run.attempt_log.values_list("number", "started_by", "door"))
    assert attempts == [(1, ops_admin.pk, EodAttempt.Door.SCREEN), (2, ops_checker.pk, EodAttempt.Door.SCREEN)]
    resumed = run.attempt_log.get(number=2)
    assert resumed.started_at >= run.attempt_log.get(number=1).started_at
    # and the run's admin page shows who resumed it
    assert response.status_code == 302 and response.url == reverse("admin:eod_eodrun_change", args=[run.pk])
    page = _client(ops_admin).get(response.url).content.decode()
    assert "attempts (started and resumed by)" in page.lower()
    assert str(ops_checker) in page and str(ops_admin) in page


def test_resuming_a_failed_run_with_the_command_records_the_command_as_the_door(ops_admin, bank, failing_step,
                                                                               submit):
    # given
    today = _business_date()
    submit(_client(ops_admin), today)
    # when
    failing_step["fail"] = False
    call_command("run_eod", stdout=io.StringIO(), stderr=io.StringIO())
    # then
    run = EodRun.objects.get()
    assert run.status == EodRun.Status.COMPLETED
    assert list(run.attempt_log.values_list("number", "started_by", "door")) == [
        (1, ops_admin.pk, EodAttempt.Door.SCREEN), (2, None, EodAttempt.Door.COMMAND)]
