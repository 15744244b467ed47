"""A day of loan applications in the browser: a teller enters Ana's application at the counter, the credit bureau
(its simulator, on loopback) answers and the application is scored; the loan officer reads the scoring explanation
and the bureau's report, recommends approving and is refused when approving it too; the branch manager, whose limit
covers the amount, approves it. Another application is rejected with reasons, which Ana then reads over the API."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from apps.accounts.tests.factories import open_funded_account, savings_product
from apps.customers.tests.factories import verified_customer
from apps.loans.models import ApplicationApproval, ApplicationStatus, LoanApplication, UnderwritingRecommendation
from apps.loans.tests.application_fixtures import submitted
from apps.loans.tests.factories import loan_product
from apps.organization import roles
from apps.organization.tests.factories import TEST_PASSWORD, CustomerUserFactory
from tests.browser.admin_steps import follow, messages, rows


@pytest.fixture
def ana(lisbon, staff, bureau):
    """Ana, KYC-verified at Lisbon Baixa, with a login and 3,000.00 EUR in savings; the bureau knows her file."""
    customer = verified_customer(branch=lisbon, user=CustomerUserFactory(username="ana.sousa"),
                                 legal_name="Ana Sousa")
    open_funded_account(customer, savings_product(rate="0"), "3000.00", teller=staff(roles.TELLER))
    bureau.files["Ana Sousa"] = {"score": 742, "open_accounts": 1, "monthly_obligations": "180.00"}
    return customer


@pytest.fixture
def personal_loan(lisbon):
    return loan_product(code="PL", name="Personal Loan")


def _log_in_as(page, log_in, user) -> None:
    page.context.clear_cookies()  # the next person at the desk
    log_in(page, user)


def _open_application(page, application) -> None:
    page.goto("/admin/loans/loanapplication/")
    follow(page, page.locator("#result_list").get_by_role("link", name=str(application.pk), exact=True))


def _cells(row: str) -> list[str]:
    return [cell.strip() for cell in row.split("\t")]


def _state(application) -> tuple:
    application.refresh_from_db()
    return (application.status, application.status_reason, ApplicationApproval.objects.count(),
            LoanApplication.history.filter(id=application.pk).count())


def test_a_teller_enters_an_application_the_officer_underwrites_and_the_manager_approves(
        page, log_in, shot, staff, ana, personal_loan):
    teller, officer, manager = staff(roles.TELLER), staff(roles.LOAN_OFFICER), staff(roles.BRANCH_MANAGER)

    # when: the teller enters Ana's application for 20,000.00 EUR over 36 months, above the loan officer's limit
    log_in(page, teller)
    page.goto("/admin/loans/loanapplication/")
    follow(page, "#content-main a.addlink")
    page.fill("#id_customer", str(ana.pk))
    page.select_option("#id_product", str(personal_loan.pk))
    page.fill("#id_amount", "20000.00")
    page.fill("#id_term", "36")
    page.fill("#id_annual_rate", "8.5")
    page.fill("#id_declared_monthly_income", "4200.00")
    page.fill("#id_declared_monthly_obligations", "350.00")
    page.fill("#id_purpose", "A used car for work")
    shot(page, "01-application-form")
    follow(page, "input[type=submit][value='Submit the application']")

    # then: it is submitted and, the bureau having answered, scored and under review
    application = LoanApplication.objects.get()
    assert messages(page) == [f"Application {application.pk} is submitted; it is scored next."]
    assert (application.customer, application.submitted_by, application.amount, application.term) == (
        ana, teller, Decimal("20000.00"), 36)
    assert application.status == ApplicationStatus.UNDER_REVIEW
    page.reload()  # the page as it is now it is scored
    assert "Credit bureau report (creditline): Received" in page.locator("#content").inner_text()
    assert page.locator(".field-reasons_given .readonly").inner_text() == "-"  # none given yet

    # when: the loan officer opens it from the queue
    _log_in_as(page, log_in, officer)
    page.goto("/admin/loans/loanapplication/")
    shot(page, "02-applications-queue")
    assert _cells(rows(page)[0])[:7] == [str(application.pk), "Ana Sousa", "PL", "20,000.00 EUR", "Under review",
                                             "81.60", "Approve"]
    _open_application(page, application)
    shot(page, "03-application-page")
    # then: the scoring explanation, line by line, and the bureau's report
    explanation = page.locator("table.scoring-explanation").inner_text()
    assert "Debt to income" in explanation and "Credit bureau score" in explanation
    report = page.locator("table.bureau-report").inner_text()
    assert "742" in report and "180.00" in report

    # when: the officer recommends approving it, with the reason for the checkers
    follow(page, "#content a:text-is('Underwrite')")
    page.check("input[name=recommendation][value=approve]")
    page.fill("#id_note", "Salaried for six years; the car replaces a lease of 350.00 EUR a month.")
    shot(page, "04-underwrite-form")
    follow(page, "input[type=submit][value='Record the recommendation']")
    recommended = UnderwritingRecommendation.objects.get()
    assert (recommended.underwriter, recommended.recommendation) == (officer, "approve")
    assert messages(page) == ["Your recommendation is recorded; another person approves."]

    # when: the officer tries to approve their own recommendation
    before = _state(application)
    follow(page, "#content a:text-is('Approve')")
    follow(page, "input[type=submit][value='Approve']")
    # then: refused with the service's words, and nothing changed
    assert messages(page) == ["You underwrote this application: another person approves it."]
    shot(page, "05-own-approval-refused")
    assert _state(application) == before

    # when: the branch manager, whose limit (50,000.00 EUR) covers it, approves it
    _log_in_as(page, log_in, manager)
    _open_application(page, application)
    follow(page, "#content a:text-is('Approve')")
    shot(page, "06-approve-page")
    follow(page, "input[type=submit][value='Approve']")
    # then: approved, by the manager on their own authority; the queue says so
    assert messages(page) == [f"Application {application.pk} is approved."]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert ApplicationApproval.objects.get().checker == manager
    shot(page, "07-approved")
    page.goto("/admin/loans/loanapplication/?status__exact=approved")
    assert [_cells(row)[4:8] for row in rows(page)] == [["Approved", "81.60", "Approve", "Approve"]]
    shot(page, "08-queue-approved")


def test_a_loan_officer_rejects_an_application_with_reasons_and_the_customer_reads_them(
        page, log_in, shot, staff, ana, personal_loan):
    # given: Ana's application for a second home, which she sent from the app (scored as it is committed)
    officer = staff(roles.LOAN_OFFICER)
    application = submitted(ana, personal_loan, "45000.00", key="holiday-home", income="2100.00",
                            obligations="900.00")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_REVIEW

    # when: the loan officer rejects it, with a standard reason and one in their own words
    log_in(page, officer)
    _open_application(page, application)
    follow(page, "#content a:text-is('Reject')")
    page.check("input[name=reasons][value=debt_to_income_too_high]")
    page.fill("#id_other_reason", "We do not lend for a second home on a personal loan.")
    shot(page, "01-reject-form")
    follow(page, "input[type=submit][value='Reject']")

    # then: rejected with both reasons
    assert messages(page) == [f"Application {application.pk} is rejected; the customer sees the reasons."]
    shot(page, "02-rejected")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    reasons = [
        {"code": "debt_to_income_too_high", "message": "Your repayments would take too large a share of your income."},
        {"code": "other", "message": "We do not lend for a second home on a personal loan."}]
    assert application.rejection_reasons == reasons
    assert ("Your repayments would take too large a share of your income.\nWe do not lend for a second home on a "
            "personal loan.") in page.locator(".field-reasons_given .readonly").inner_text()

    # and: Ana, with her own token, reads the status and the reasons
    api = APIClient()
    login = api.post("/api/v1/auth/token/", {"username": "ana.sousa", "password": TEST_PASSWORD}, format="json")
    assert login.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Token {login.json()['token']}")
    seen = api.get(f"/api/v1/loan-applications/{application.pk}/")
    assert seen.status_code == 200
    assert (seen.json()["status"], seen.json()["rejection_reasons"]) == ("rejected", reasons)
