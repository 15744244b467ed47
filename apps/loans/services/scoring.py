"""Scoring a loan application: ask the credit bureau (outside any transaction: no network I/O under a lock), then
store the bureau's report and the scorecard (apps/loans/scorecard.py) with every input, weight and point, and the
configuration used, and put the application under review.

A bureau that cannot be reached is not an error for the applicant: the report is stored as unavailable, the card
is ``incomplete``, and the application waits under review with the reason in ``status_reason`` until it is scored
again (``score_application`` once more: *Score again* in the admin, or the beat task
``loans.score_waiting_applications`` every ten minutes).
"""

from __future__ import annotations

import logging
from decimal import Decimal

from django.db import transaction

from apps.customers.models import Customer
from apps.loans.applicant_history import bank_loan_history, deposit_history
from apps.loans.bureau.base import BureauSubject, BureauUnavailable, CreditBureau, CreditReport
from apps.loans.bureau.selection import get_credit_bureau
from apps.loans.errors import LoanApplicationRefused
from apps.loans.models import ApplicationStatus, CreditBureauReport, LoanApplication, ScoringDecision
from apps.loans.models.applications import OPEN_STATUSES
from apps.loans.schedule import Schedule
from apps.loans.scorecard import ScoringConfiguration, ScoringFacts, score_card
from apps.loans.services.schedule_preview import preview_schedule
from apps.loans.services.underwriting import UNDERWRITE_PERMISSION, ensure_staff_of_branch
from apps.money import Money, round_to_currency
from apps.organization.models import User
from apps.organization.selectors import current_business_date

logger = logging.getLogger(__name__)
BUREAU_DOWN_REASON = ("Waiting for the credit bureau, which could not be reached; the application is scored again "
                      "when it answers.")


def bureau_subject(application: LoanApplication) -> BureauSubject:
    customer = application.customer
    return BureauSubject(inquiry_reference=f"loan-application-{application.pk}", legal_name=customer.legal_name,
                         country=customer.country, date_of_birth=customer.date_of_birth,
                         national_id_last4=customer.national_id_last4,
                         registration_number=customer.business_registration_number)


def ask_bureau(bureau: CreditBureau, application: LoanApplication) -> tuple[CreditReport | None, str]:
    """The bureau's report, or None and why it could not be had."""
    try:
        return bureau.fetch_report(bureau_subject(application)), ""
    except BureauUnavailable as error:
        logger.warning("Credit bureau for application %s: %s", application.pk, error)
        return None, str(error)[:300] or "The credit bureau could not be reached."


def _stored_report(application: LoanApplication, bureau: CreditBureau, report: CreditReport | None,
                   error: str) -> CreditBureauReport:
    if report is None:
        return CreditBureauReport.objects.create(application=application, bureau=bureau.name,
                                                 status=CreditBureauReport.Status.UNAVAILABLE, error=error)
    return CreditBureauReport.objects.create(
        application=application, bureau=report.bureau, reference=report.reference,
        status=CreditBureauReport.Status.RECEIVED if report.found else CreditBureauReport.Status.NO_FILE,
        score=report.score if report.found else None, open_accounts=report.open_accounts,
        monthly_obligations=report.monthly_obligations, defaults=report.defaults,
        delinquent_accounts=report.delinquent_accounts, raw=report.raw)


def application_schedule(application: LoanApplication) -> Schedule:
    return preview_schedule(
        product=application.product, amount=Money(application.amount, application.currency),
        annual_rate=application.annual_rate, term=application.term, frequency=application.repayment_frequency,
        disbursement_date=application.disbursement_date or current_business_date(),
        first_repayment_date=application.first_repayment_date)


def scoring_facts(application: LoanApplication, report: CreditBureauReport) -> ScoringFacts:
    """Everything the scorecard reads about this application, as of the business date."""
    on = current_business_date()
    currency = application.currency
    customer: Customer = application.customer
    deposits = deposit_history(customer, currency=currency, on=on)
    loans = bank_loan_history(customer, currency=currency, on=on)
    return ScoringFacts(
        currency=currency, declared_income=round_to_currency(application.declared_monthly_income, currency),
        declared_obligations=round_to_currency(application.declared_monthly_obligations, currency),
        new_instalment=round_to_currency(application_schedule(application).regular_instalment, currency),
        bank_loan_instalments=loans.monthly_instalments, deposit_balance=deposits.balance,
        deposit_monthly_credits=deposits.monthly_credits, loans_in_arrears=loans.loans_in_arrears,
        max_days_past_due=loans.max_days_past_due, kyc_risk_rating=customer.risk_rating,
        bureau_status=report.status, bureau_score=report.score,
        bureau_obligations=round_to_currency(Decimal(report.monthly_obligations), currency),
        bureau_defaults=report.defaults)


def score_application(*, application: LoanApplication, actor: User | None,
                      bureau: CreditBureau | None = None) -> ScoringDecision:
    """Score an open application (``actor`` None: the automatic scoring after submission; staff scoring again
    hold ``loans.underwrite_loanapplication`` at the application's branch). The bureau is asked first, with no
    transaction open; then the report and the card are stored and the application is under review."""
    if actor is not None:
        ensure_staff_of_branch(actor, application, permissions=(UNDERWRITE_PERMISSION,),
                               what="score loan applications")
    _ensure_open(application)
    bureau = bureau or get_credit_bureau()
    report, error = ask_bureau(bureau, application)
    return _store_scoring(application_id=application.pk, bureau=bureau, report=report, error=error, actor=actor)


def _ensure_open(application: LoanApplication) -> None:
    if application.status not in OPEN_STATUSES:
        raise LoanApplicationRefused(f"Application {application.pk} is {application.get_status_display().lower()}; "
                                     "only an open application is scored.", code="application_not_open")


@transaction.atomic
def _store_scoring(*, application_id: int, bureau: CreditBureau, report: CreditReport | None, error: str,
                   actor: User | None) -> ScoringDecision:
    application = (LoanApplication.objects.select_for_update(of=("self",))
                   .select_related("customer", "product").get(pk=application_id))
    _ensure_open(application)
    stored_report = _stored_report(application, bureau, report, error)
    facts = scoring_facts(application, stored_report)
    configuration = ScoringConfiguration.from_settings()
    card = score_card(facts, configuration)
    decision = ScoringDecision.objects.create(
        application=application, bureau_report=stored_report,
        inputs={"facts": facts.as_json(), "lines": [line.as_json() for line in card.lines]},
        configuration=configuration.as_json(), knockouts=card.knockouts, score=card.score, outcome=card.outcome,
        instalment=facts.new_instalment, business_date=current_business_date(), performed_by=actor)
    application.status = ApplicationStatus.UNDER_REVIEW
    application.status_reason = BUREAU_DOWN_REASON if report is None else ""
    application._history_user = actor
    application.save(update_fields=["status", "status_reason"])
    return decision


def recomputed_card(decision: ScoringDecision):
    """The card the stored facts and configuration give today: the same as the stored one (an explanation
    that can be checked)."""
    return score_card(ScoringFacts.from_json(decision.inputs["facts"]),
                      ScoringConfiguration.from_json(decision.configuration))
