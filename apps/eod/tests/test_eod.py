"""End of day: closing the date, running the steps in order, recording them, resuming, sealing."""

import datetime
import io

import pytest
from django.core.management import call_command

from apps.eod.errors import EodDateClosed, EodRunUnfinished
from apps.eod.models import EodRun, EodStepRun, LedgerSeal
from apps.eod.services import advance_business_date, run_eod
from apps.eod_registry import register_step, registered_steps, unregister_step
from apps.ledger.models import JournalEntry
from apps.ledger.tests.factories import fund, ledger_account
from apps.ledger.tests.tampering import triggers_off
from apps.organization.models import Bank

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 11, 23)


def _business_date():
    return Bank.objects.get().current_business_date


@pytest.fixture
def flaky_step():
    """A step that fails until told otherwise, registered just before the seal."""
    state = {"fail": True, "calls": 0}

    def step(business_date):
        state["calls"] += 1
        if state["fail"]:
            raise RuntimeError("the core banking adapter is down")
        return {"done": 1}

    register_step("test.flaky", step, order=999_999)
    yield state
    unregister_step("test.flaky")


def test_end_of_day_closes_the_date_and_runs_every_step_in_order(bank):
    run = run_eod()
    assert run.status == EodRun.Status.COMPLETED and run.business_date == TODAY
    assert _business_date() == TODAY + datetime.timedelta(days=1)
    steps = list(run.steps.order_by("position").values_list("name", "status"))
    assert [name for name, _ in steps] == [step.name for step in registered_steps()]
    assert steps[-1][0] == "eod.seal_ledger"
    assert {status for _, status in steps} == {EodStepRun.Status.COMPLETED}
    assert LedgerSeal.objects.filter(business_date=TODAY).exists()


def test_running_a_completed_date_again_changes_nothing(bank):
    run_eod()
    again = run_eod(business_date=TODAY)
    assert again.already_completed
    assert _business_date() == TODAY + datetime.timedelta(days=1)
    assert EodRun.objects.count() == 1 and LedgerSeal.objects.count() == 1


def test_a_failed_run_resumes_from_the_failed_step(bank, flaky_step):
    # given a run that failed at the flaky step
    run = run_eod()
    assert run.status == EodRun.Status.FAILED
    failed = run.steps.get(name="test.flaky")
    assert failed.status == EodStepRun.Status.FAILED and "adapter is down" in failed.error
    assert run.steps.get(name="eod.seal_ledger").status == EodStepRun.Status.PENDING
    # when another date is asked for, it is refused until this one is finished
    with pytest.raises(EodRunUnfinished):
        run_eod(business_date=TODAY + datetime.timedelta(days=1))
    # then, fixed and run again, it resumes: earlier steps are not run twice
    flaky_step["fail"] = False
    resumed = run_eod()
    assert resumed.pk == run.pk and resumed.status == EodRun.Status.COMPLETED and resumed.attempts == 2
    assert resumed.steps.get(name="accounts.accrue_interest").attempts == 1
    assert resumed.steps.get(name="test.flaky").attempts == 2 and flaky_step["calls"] == 2
    assert _business_date() == TODAY + datetime.timedelta(days=1)


def test_a_closed_date_cannot_be_run_again_and_the_date_never_moves_back(bank):
    run_eod()
    with pytest.raises(EodDateClosed):
        run_eod(business_date=TODAY - datetime.timedelta(days=3))
    with pytest.raises(Exception, match="only moves forward"):
        advance_business_date(to=TODAY)


def test_running_for_a_later_date_closes_the_skipped_days_too(bank):
    run = run_eod(business_date=TODAY + datetime.timedelta(days=2))  # the bank was closed two days
    assert run.status == EodRun.Status.COMPLETED
    assert _business_date() == TODAY + datetime.timedelta(days=3)


def test_run_eod_command_shows_progress(bank):
    out = io.StringIO()
    call_command("run_eod", "--date", "2026-11-23", stdout=out)
    text = out.getvalue()
    assert f"[1/{len(registered_steps())}] accounts.expire_holds" in text
    assert "eod.seal_ledger done in" in text and "business date is now 2026-11-24" in text


def _ledger_check():
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("ledger_check", stdout=out, stderr=err)
    except SystemExit as exit_:
        return exit_.code, out.getvalue() + err.getvalue()
    return 0, out.getvalue() + err.getvalue()


def test_ledger_check_names_the_first_sealed_date_whose_entries_were_tampered_with(bank):
    # given three sealed days, each with one entry
    account = ledger_account()
    entries = []
    for _ in range(3):
        entries.append(fund(account, "10.00"))
        run_eod()
    assert _ledger_check()[0] == 0
    # when a DBA rewrites the description of the second day's entry behind the application's back
    with triggers_off("ledger_journalentry") as cursor:
        cursor.execute("UPDATE ledger_journalentry SET description = 'nothing to see' WHERE id = %s",
                       [entries[1].pk])
    # then ledger_check fails and names that business date
    code, output = _ledger_check()
    assert code == 1
    assert "SEAL BROKEN at business date 2026-11-24" in output


def test_ledger_check_finds_a_posting_amount_changed_by_raw_sql(bank):
    account = ledger_account()
    first = fund(account, "10.00")
    run_eod()
    with triggers_off("ledger_posting") as cursor:
        cursor.execute("UPDATE ledger_posting SET amount = 1000 WHERE entry_id = %s", [first.pk])
    code, output = _ledger_check()
    assert code == 1 and "SEAL BROKEN at business date 2026-11-23" in output


def test_a_back_dated_entry_in_a_sealed_date_breaks_the_seal(bank):
    account = ledger_account()
    fund(account, "10.00")
    run_eod()
    from apps.ledger.services import credit, debit, post_journal_entry
    from apps.money import Money

    cash = ledger_account(type="asset", derived=True)
    post_journal_entry(postings=[debit(cash, Money("1.00", "EUR")), credit(account, Money("1.00", "EUR"))],
                       description="back-dated", source="test", idempotency_key="late", business_date=TODAY)
    assert JournalEntry.objects.filter(business_date=TODAY).count() == 2
    code, output = _ledger_check()
    assert code == 1 and "SEAL BROKEN at business date 2026-11-23" in output
