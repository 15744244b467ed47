"""AML cases in the browser: a compliance officer opens her home, opens Marta's case from the queue of cases by
SAR deadline, reads the timeline and the deposits as they were when alerted, adds a note and proposes closing the
case as a false positive; the case's risk is above the bank's four-eyes figure, so it waits for a second
compliance officer, who approves it from her own home."""

import pytest

from apps.accounts.tests.factories import savings_product
from apps.compliance.models import CaseNote
from apps.compliance.models.alerts import CaseStatus
from apps.compliance.tests.case_fixtures import alerted_case
from apps.customers.tests.factories import verified_customer
from apps.organization import roles
from apps.organization.models import ApprovalRequest
from apps.organization.services import create_staff_user
from apps.organization.tests.factories import TEST_PASSWORD
from tests.browser.admin_steps import follow, messages, rows


@pytest.fixture
def marta_case(lisbon, staff, settings):
    """Marta Costa brought 12,000.00 and 14,500.00 EUR in cash to the counter: two large-cash alerts in one case.
    The bank asks for a second officer to close a case of risk above 30 as a false positive."""
    settings.COMPLIANCE_FALSE_POSITIVE_FOUR_EYES_RISK = 30
    customer = verified_customer(branch=lisbon, legal_name="Marta Costa")
    return alerted_case(customer, savings_product(rate="0"), staff(roles.TELLER), amounts=("12000.00", "14500.00"))


def _log_in_as(page, log_in, user) -> None:
    page.context.clear_cookies()
    log_in(page, user)


def test_an_officer_proposes_a_false_positive_and_a_second_officer_approves_it(
        page, log_in, shot, staff, lisbon, marta_case):
    officer = staff(roles.COMPLIANCE_OFFICER)
    second = create_staff_user(username="compliance2.lis01", password=TEST_PASSWORD, role=roles.COMPLIANCE_OFFICER,
                               home_branch=lisbon, first_name="Second", last_name="Officer")

    # when: the officer opens her home
    log_in(page, officer)
    shot(page, "01-home")
    waiting = page.locator("#waiting-for-you").inner_text()
    assert "AML cases by SAR deadline" in waiting and "Marta Costa, SAR due" in waiting
    assert "AML alerts not yet investigated" in waiting
    assert page.locator("#alerts-per-typology-chart").is_visible()

    # the alert queue and the case list say the same
    page.goto("/admin/compliance/alert/")
    shot(page, "01a-alert-queue")
    assert len(rows(page)) == 2
    page.goto("/admin/compliance/case/")
    shot(page, "01b-case-list")
    assert "Marta Costa" in rows(page)[0] and "on time" in rows(page)[0]
    page.goto("/admin/")

    # when: she opens Marta's case from the queue
    follow(page, page.locator("#waiting-for-you a", has_text="Marta Costa, SAR due"))
    shot(page, "02-case-page")
    timeline = page.locator("table.case-timeline").inner_text()
    assert timeline.count("Cash deposit of") == 2 and "Case opened" in timeline
    deposits = page.locator("table.case-transactions").inner_text()
    assert "12,000.00 EUR" in deposits and "14,500.00 EUR" in deposits

    # when: she adds a note
    follow(page, "#content a:text-is('Add a note')")
    page.fill("#id_text", "Marta sold her flat in Almada; the deed and the buyer's bank draft are on file.")
    shot(page, "03-note-form")
    follow(page, "input[type=submit][value='Add the note']")
    assert messages(page) == ["The note is added to the case."]
    assert CaseNote.objects.get().author == officer

    # when: she closes it as a false positive: above the four-eyes risk, it is proposed
    follow(page, "#content a:text-is('Close as a false positive')")
    page.fill("#id_reason", "Proceeds of the sale of her flat, documented.")
    shot(page, "04-close-form")
    follow(page, "input[type=submit][value='Close as a false positive']")
    request = ApprovalRequest.objects.get()
    assert messages(page) == [f"Closing case {marta_case.pk} as a false positive waits for a second compliance "
                              f"officer (request #{request.pk})."]
    assert "Waiting for a second compliance officer" in page.locator("#content").inner_text()
    shot(page, "05-waiting-for-second-officer")
    marta_case.refresh_from_db()
    assert marta_case.status == CaseStatus.OPEN

    # when: the second officer opens her home and the request waiting for her
    _log_in_as(page, log_in, second)
    shot(page, "06-second-officer-home")
    follow(page, page.locator("#waiting-for-you a", has_text="Approval requests you may decide"))
    follow(page, page.locator("#result_list a", has_text=str(request.pk)).first)
    shot(page, "07-approval-request")
    follow(page, "button[name=decision][value=approve]")

    # then: the case is closed as a false positive, by the first officer, approved by the second
    marta_case.refresh_from_db()
    assert (marta_case.status, marta_case.closed_by, marta_case.closure_approved_by) == (
        CaseStatus.CLOSED_FALSE_POSITIVE, officer, second)
    page.goto(f"/admin/compliance/case/{marta_case.pk}/change/")
    timeline = page.locator("table.case-timeline").inner_text()
    assert f"Request #{request.pk} approved" in timeline and "Closed as a false positive" in timeline
    shot(page, "08-case-closed")
