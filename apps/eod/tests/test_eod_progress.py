"""The end-of-day screen opens the run and a worker carries out its steps, sent once the opening is committed; the
run's page follows the steps through a small progress endpoint, and says what each step did in words."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from apps.eod.models import EodAttempt, EodRun, EodStepRun
from apps.eod.selectors import counts_in_words
from apps.eod.services import carry_out_run
from apps.eod.tasks import carry_out_end_of_day
from apps.eod_registry import register_step, registered_steps, unregister_step
from apps.organization.models import Bank
from apps.organization.tests.factories import StaffFactory

pytestmark = pytest.mark.django_db
URL = "/admin/eod/eodrun/close/"


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _confirm(business_date, attempts=0):
    return {"business_date": business_date.isoformat(), "attempts_seen": str(attempts), "confirm": "on"}


def _progress(client, run):
    return client.get(reverse("admin:eod_eodrun_progress", args=[run.pk]))


def test_the_screen_opens_the_run_and_sends_its_steps_to_a_worker_only_once_committed(
        ops_admin, bank, django_capture_on_commit_callbacks):
    # given
    today = bank.current_business_date
    client = _client(ops_admin)
    # when the screen is submitted, the commit's callbacks held back
    with django_capture_on_commit_callbacks(execute=False) as sent:
        response = client.post(URL, _confirm(today))
    # then the run is open, the date moved, and no step has run yet: the worker's task waits for the commit
    run = EodRun.objects.get()
    assert response.status_code == 302 and response.url == reverse("admin:eod_eodrun_change", args=[run.pk])
    assert run.status == EodRun.Status.RUNNING and run.started_by == ops_admin
    assert Bank.objects.get().current_business_date == today + datetime.timedelta(days=1)
    assert set(run.steps.values_list("status", flat=True)) == {EodStepRun.Status.PENDING}
    assert len(sent) == 1
    waiting = _progress(client, run).json()
    assert (waiting["status"], waiting["finished"], waiting["steps_done"]) == ("running", False, 0)
    assert waiting["steps_total"] == len(registered_steps())
    page = client.get(response.url).content.decode()
    assert 'id="eod-progress"' in page and "eod_progress.js" in page and 'data-finished="0"' in page
    # when the worker runs it
    sent[0]()
    # then
    run.refresh_from_db()
    assert run.status == EodRun.Status.COMPLETED
    done = _progress(client, run).json()
    assert (done["status"], done["finished"], done["steps_done"]) == ("completed", True, done["steps_total"])
    seal = next(step for step in done["steps"] if step["name"] == "eod.seal_ledger")
    assert seal["status"] == "completed" and seal["counts"].endswith("postings") and seal["duration"]


def test_a_second_submit_while_the_run_waits_for_its_worker_is_refused_and_sends_nothing(
        ops_admin, ops_checker, bank, django_capture_on_commit_callbacks):
    # given a run opened from the screen, its worker not started yet
    today = bank.current_business_date
    with django_capture_on_commit_callbacks(execute=False):
        _client(ops_admin).post(URL, _confirm(today))
    # when the same page (it showed no unfinished run) is submitted again by another operator
    with django_capture_on_commit_callbacks(execute=False) as sent:
        response = _client(ops_checker).post(URL, _confirm(today))
    # then
    assert response.status_code == 409
    assert "was started or resumed meanwhile" in response.content.decode()
    run = EodRun.objects.get()
    assert run.attempts == 1 and run.attempt_log.count() == 1 and sent == []
    # and the refused page offers the run as it now is (its attempt), linking its progress
    assert 'name="attempts_seen" value="1"' in response.content.decode()
    assert reverse("admin:eod_eodrun_change", args=[run.pk]) in response.content.decode()


def test_a_run_left_waiting_is_resumed_from_the_screen_at_the_attempt_it_showed(
        ops_admin, bank, django_capture_on_commit_callbacks):
    # given a run whose task was lost (the broker took nothing): it waits, running, with no step done
    today = bank.current_business_date
    with django_capture_on_commit_callbacks(execute=False):
        _client(ops_admin).post(URL, _confirm(today))
    # when operations resumes it from the screen, which shows attempt 1
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(ops_admin).post(URL, _confirm(today, attempts=1))
    # then
    run = EodRun.objects.get()
    assert response.status_code == 302 and run.status == EodRun.Status.COMPLETED and run.attempts == 2
    assert list(run.attempt_log.values_list("door", flat=True)) == [EodAttempt.Door.SCREEN] * 2


@pytest.fixture
def failing_step():
    def step(business_date):
        raise RuntimeError("the core banking adapter is down")

    register_step("test.broken", step, order=999_999)
    yield
    unregister_step("test.broken")


def test_the_worker_leaves_a_run_that_is_no_longer_running_as_it_is(ops_admin, bank, failing_step,
                                                                     django_capture_on_commit_callbacks):
    # given a run that stopped at a failed step
    with django_capture_on_commit_callbacks(execute=True):
        _client(ops_admin).post(URL, _confirm(bank.current_business_date))
    run = EodRun.objects.get()
    assert run.status == EodRun.Status.FAILED
    attempts = list(run.steps.values_list("name", "attempts"))
    # when the task is delivered again (a redelivery, a duplicate)
    result = carry_out_end_of_day.delay(run.pk).get()
    # then nothing ran again: resuming a failed run is a person's decision
    assert result["status"] == "failed"
    assert list(run.steps.values_list("name", "attempts")) == attempts
    assert carry_out_run(run_id=run.pk).status == EodRun.Status.FAILED


def test_the_progress_endpoint_says_a_failed_step_and_its_error(ops_admin, bank, failing_step,
                                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _client(ops_admin).post(URL, _confirm(bank.current_business_date))
    progress = _progress(_client(ops_admin), EodRun.objects.get()).json()
    broken = next(step for step in progress["steps"] if step["name"] == "test.broken")
    assert progress["status"] == "failed" and progress["finished"] is True
    assert broken["status"] == "failed" and broken["error"] == "RuntimeError: the core banking adapter is down"


def test_who_may_see_the_runs_may_follow_one_and_nobody_else(ops_admin, auditor, teller_a, branch_a, bank,
                                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _client(ops_admin).post(URL, _confirm(bank.current_business_date))
    run = EodRun.objects.get()
    assert _progress(_client(auditor), run).status_code == 200
    assert _progress(_client(teller_a), run).status_code == 200  # every role that reads accounts sees the runs
    assert _progress(_client(StaffFactory(home_branch=branch_a)), run).status_code == 403  # staff without a role
    missing = _client(auditor).get(reverse("admin:eod_eodrun_progress", args=[run.pk + 1000]))
    assert missing.status_code == 404


def test_the_progress_endpoint_costs_the_same_queries_whatever_the_steps(ops_admin, auditor, bank,
                                                                         django_capture_on_commit_callbacks,
                                                                         django_assert_max_num_queries):
    with django_capture_on_commit_callbacks(execute=True):
        _client(ops_admin).post(URL, _confirm(bank.current_business_date))
    client = _client(auditor)
    run = EodRun.objects.get()
    client.get(reverse("admin:eod_eodrun_progress", args=[run.pk]))  # the session and permissions, once
    with django_assert_max_num_queries(6):
        client.get(reverse("admin:eod_eodrun_progress", args=[run.pk]))


def test_the_run_page_says_what_each_step_did_in_words_not_json(ops_admin, bank,
                                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _client(ops_admin).post(URL, _confirm(bank.current_business_date))
    run = EodRun.objects.get()
    page = _client(ops_admin).get(reverse("admin:eod_eodrun_change", args=[run.pk])).content.decode()
    assert '{"entries"' not in page and "{&quot;entries&quot;" not in page
    seal = run.steps.get(name="eod.seal_ledger")
    assert counts_in_words(seal.counts) in page
    assert 'data-finished="1"' in page and "eod_progress.js" not in page


def test_counts_read_as_words():
    assert counts_in_words({"credited": 3, "charged": 1, "deferred": 0}) == "3 credited, 1 charged, 0 deferred"
    assert counts_in_words({"entries": 1, "postings": 2}) == "1 entry, 2 postings"
    assert counts_in_words({"days": 1, "accruals": 1200}) == "1 day, 1,200 accruals"
    assert counts_in_words({"product": "SAV"}) == "product: SAV"
    assert counts_in_words({}) == ""
