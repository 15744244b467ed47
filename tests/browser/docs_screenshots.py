"""Copy the browser tests' screenshots that the staff guides (docs/staff/) show into docs/staff/img/.

    make docs-screenshots      # after a PostgreSQL run of tests/browser/ (make test, or pytest tests/browser)

The guides show the screens as the tests left them (var/screenshots/postgresql/<test>/<step>.png), so a screen
that changes is re-shot by the test that walks it, and this copies it again. A missing screenshot is an error:
the guide would point at a screen no test walks any more.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "var" / "screenshots" / "postgresql"
IMAGES = ROOT / "docs" / "staff" / "img"

TELLER_DAY = "test_a_teller_opens_an_account_takes_a_cash_deposit_and_downloads_the_statement"
TELLER_OPERATIONS = "test_a_teller_holds_breaks_a_term_deposit_transfers_and_saves_a_beneficiary"
TELLER_PAYS_OUT = "test_a_teller_pays_another_bank_and_operations_reads_the_trial_balance"
MANAGER_DAY = "test_a_branch_manager_approves_one_cash_deposit_and_rejects_another_with_a_reason"
MANAGER_OPERATIONS = ("test_a_branch_manager_upgrades_cancels_a_standing_order_and_closes_an_account_through_a_"
                      "checker")
COMPLIANCE_DAY = "test_a_compliance_officer_works_the_kyc_queue_a_screening_hit_and_a_held_payment"
COMPLIANCE_OPERATIONS = "test_compliance_freezes_asks_to_unfreeze_and_imports_a_screening_list"
OPERATIONS_DAY = "test_operations_closes_the_day_on_the_end_of_day_screen_and_reads_the_ledger"
AUDITOR_DAY = "test_an_auditor_reads_every_page_and_can_change_nothing"
CHANNELS_DAY = "test_a_teller_enrols_a_customer_who_redeems_the_code_and_logs_in_then_resets_and_revokes"
LOAN_OFFICER_DAY = "test_a_loan_officer_previews_fineracts_loan_and_sees_every_instalment"
AML_CASES_DAY = "test_an_officer_proposes_a_false_positive_and_a_second_officer_approves_it"
LOAN_APPLICATIONS_DAY = "test_a_teller_enters_an_application_the_officer_underwrites_and_the_manager_approves"


ROLE_HOMES = "test_each_role_home_shows_its_panels_and_draws_its_charts_and_tables_without_javascript"


def role_home(role_id: str) -> tuple[str, str]:
    """``test_role_homes.py``'s screenshot of one role's home."""
    return ROLE_HOMES, f"home-{role_id}"


# docs/staff/img/<name>: the test's folder and step.
SCREENS: dict[str, tuple[str, str]] = {
    "teller-home.png": role_home("teller"),
    "teller-open-account.png": (TELLER_DAY, "02-open-account-form"),
    "teller-cash-deposit.png": (TELLER_DAY, "04-cash-deposit-form"),
    "teller-receipt.png": (TELLER_DAY, "05-receipt"),
    "teller-account-page.png": (TELLER_DAY, "07-account-page"),
    "teller-statement.png": (TELLER_DAY, "08-statement-form"),
    "teller-customer-page.png": (CHANNELS_DAY, "01-customer-page"),
    "teller-enrolment-code.png": (CHANNELS_DAY, "03-code-shown-once"),
    "teller-hold.png": (TELLER_OPERATIONS, "01-hold-form"),
    "teller-break-term-deposit.png": (TELLER_OPERATIONS, "03-break-term-deposit"),
    "teller-staff-transfer.png": (TELLER_OPERATIONS, "05-staff-transfer-form"),
    "teller-beneficiary.png": (TELLER_OPERATIONS, "07-beneficiary-form"),
    "teller-outgoing-payment.png": (TELLER_PAYS_OUT, "01-outgoing-payment-form"),
    "manager-home.png": role_home("branch-manager"),
    "manager-pending-requests.png": (MANAGER_DAY, "02-pending-requests"),
    "manager-premium.png": (MANAGER_OPERATIONS, "01-premium-form"),
    "manager-cancel-standing-order.png": (MANAGER_OPERATIONS, "03-cancel-standing-order"),
    "manager-closure.png": (MANAGER_OPERATIONS, "04-closure-form"),
    "manager-approval-request.png": (MANAGER_OPERATIONS, "05-closure-request"),
    "compliance-home.png": role_home("compliance-officer"),
    "compliance-kyc-queue.png": (COMPLIANCE_DAY, "02-kyc-queue"),
    "compliance-screening-hits.png": (COMPLIANCE_DAY, "04-open-screening-hits"),
    "compliance-payment-review.png": (COMPLIANCE_DAY, "07-payment-review"),
    "compliance-freeze.png": (COMPLIANCE_OPERATIONS, "01-freeze-form"),
    "compliance-screening-import.png": (COMPLIANCE_OPERATIONS, "04-screening-import-form"),
    "compliance-aml-home.png": (AML_CASES_DAY, "01-home"),
    "compliance-aml-cases.png": (AML_CASES_DAY, "01b-case-list"),
    "compliance-aml-case.png": (AML_CASES_DAY, "05-waiting-for-second-officer"),
    "compliance-aml-approval.png": (AML_CASES_DAY, "07-approval-request"),
    "operations-home.png": role_home("operations-admin"),
    "operations-end-of-day.png": (OPERATIONS_DAY, "02-end-of-day-screen"),
    "operations-end-of-day-completed.png": (OPERATIONS_DAY, "03-end-of-day-completed"),
    "operations-journal-entry.png": (OPERATIONS_DAY, "05-journal-entry"),
    "operations-trial-balance.png": (TELLER_PAYS_OUT, "03-trial-balance-and-ledger-check"),
    "auditor-home.png": role_home("auditor"),
    "auditor-account.png": (AUDITOR_DAY, "03-account"),
    "loan-officer-products.png": (LOAN_OFFICER_DAY, "01-loan-products"),
    "loan-officer-schedule.png": (LOAN_OFFICER_DAY, "02-schedule"),
    "loan-officer-applications-queue.png": (LOAN_APPLICATIONS_DAY, "02-applications-queue"),
    "loan-officer-application-page.png": (LOAN_APPLICATIONS_DAY, "03-application-page"),
    "loan-officer-approved.png": (LOAN_APPLICATIONS_DAY, "07-approved"),
    "auditor-end-of-day-screen.png": (AUDITOR_DAY, "09-end-of-day-screen"),
}


def main() -> int:
    missing = [f"{test}/{step}.png" for test, step in SCREENS.values() if not (SHOTS / test / f"{step}.png").is_file()]
    if missing:
        print("Missing screenshots (run the browser tests on PostgreSQL first):", *missing, sep="\n  ",
              file=sys.stderr)
        return 1
    IMAGES.mkdir(parents=True, exist_ok=True)
    for name, (test, step) in SCREENS.items():
        shutil.copyfile(SHOTS / test / f"{step}.png", IMAGES / name)
    print(f"Copied {len(SCREENS)} screenshots into {IMAGES.relative_to(ROOT)}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
