"""Applying for a loan, and withdrawing an application: through the API by the customer, or at the branch by staff.

The rules, whichever door: a KYC-verified customer (``ensure_kyc_verified`` on the business date), not blocked;
an active product; the amount, rate and term within the product's limits, in its currency, on terms its schedule
can honour (the schedule preview checks them and gives the instalment); a disbursement date not in the past.
Staff who enter an application hold ``loans.add_loanapplication`` (tellers, loan officers, branch managers) and
work at the customer's branch; a channel login applies for its own customer only. Each refusal is a domain error
with a code, and nothing is written. One idempotency key per customer: the same key and the same application
returns the first; the same key with other terms is a conflict. Scoring follows on commit (a Celery task; the
beat task ``loans.score_waiting_applications`` catches up what was not sent).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.customers.models import Customer
from apps.kyc.selectors import ensure_kyc_verified
from apps.loans.errors import LoanApplicationConflict, LoanApplicationRefused, NotAllowedToLend
from apps.loans.models import ApplicationChannel, ApplicationStatus, LoanApplication, LoanProduct
from apps.loans.models.applications import OPEN_STATUSES
from apps.loans.services.schedule_preview import preview_schedule
from apps.loans.tasks import score_loan_application_task
from apps.money import Money
from apps.organization.models import User
from apps.organization.selectors import current_business_date
from apps.outbox.broker import send_task_on_commit

APPLY_PERMISSION = "loans.add_loanapplication"
# The terms that make two submissions with one key the same application.
TERM_FIELDS = ("product_id", "currency", "amount", "term", "annual_rate", "repayment_frequency",
               "disbursement_date", "first_repayment_date", "declared_monthly_income",
               "declared_monthly_obligations")


@dataclass(frozen=True)
class ApplicationTerms:
    """What an applicant asks for. Rate, term and frequency default to the product's; the disbursement date to
    the business date."""

    product: LoanProduct
    amount: Money
    declared_monthly_income: Money
    declared_monthly_obligations: Money | None = None
    term: int | None = None
    annual_rate: Decimal | None = None
    repayment_frequency: str | None = None
    disbursement_date: datetime.date | None = None
    first_repayment_date: datetime.date | None = None
    purpose: str = ""


def ensure_may_act_for_customer(actor: User, *, customer: Customer, permission: str, what: str) -> None:
    """A channel login acts for its own customer only; staff hold ``permission`` and work at the customer's branch
    (superusers anywhere)."""
    if not actor.is_active:
        raise NotAllowedToLend("This login is not active.")
    if not actor.is_staff:
        if customer.user_id != actor.pk:
            raise NotAllowedToLend("A channel login acts for its own customer only.", code="not_your_customer")
        return
    if not actor.has_perm(permission):
        raise NotAllowedToLend(f"Your role may not {what}.")
    if not actor.is_superuser and actor.home_branch_id != customer.branch_id:
        raise NotAllowedToLend(f"You {what} for your own branch's customers, not {customer.branch.code}'s.",
                               code="branch_trespass")


def _checked_application(*, customer: Customer, terms: ApplicationTerms, on: datetime.date) -> LoanApplication:
    product = terms.product
    if customer.status == Customer.Status.BLOCKED:
        raise LoanApplicationRefused(f"{customer.legal_name} is blocked.", code="customer_blocked")
    ensure_kyc_verified(customer, on=on)
    if not product.is_active:
        raise LoanApplicationRefused(f"Product {product.code} is not offered any more.", code="product_inactive")
    currency = product.currency
    disbursement_date = terms.disbursement_date or on
    if disbursement_date < on:
        raise LoanApplicationRefused(f"The disbursement date cannot be before the business date {on}.",
                                     code="disbursement_date_in_past")
    application = LoanApplication(
        customer=customer, branch_id=customer.branch_id, product=product, currency=currency,
        amount=terms.amount.amount, term=product.default_term if terms.term is None else terms.term,
        annual_rate=product.default_rate if terms.annual_rate is None else terms.annual_rate,
        repayment_frequency=terms.repayment_frequency or product.repayment_frequency,
        disbursement_date=disbursement_date, first_repayment_date=terms.first_repayment_date,
        purpose=terms.purpose, declared_monthly_income=terms.declared_monthly_income.amount,
        declared_monthly_obligations=(terms.declared_monthly_obligations.amount
                                      if terms.declared_monthly_obligations is not None else Decimal("0")))
    # The limits, the currency and whether the terms make a schedule at all: the preview's own checks.
    preview_schedule(product=product, amount=terms.amount, term=application.term, annual_rate=application.annual_rate,
                     frequency=application.repayment_frequency, disbursement_date=disbursement_date,
                     first_repayment_date=terms.first_repayment_date)
    for declared in (terms.declared_monthly_income, terms.declared_monthly_obligations):
        if declared is not None and (declared.currency != currency or declared.amount < 0):
            raise LoanApplicationRefused(
                f"Declared income and obligations are amounts of {currency}, not negative.",
                code="declared_amount_invalid")
    return application


def _replay(existing: LoanApplication, candidate: LoanApplication) -> LoanApplication:
    if any(getattr(existing, name) != getattr(candidate, name) for name in TERM_FIELDS):
        raise LoanApplicationConflict(
            f"Idempotency key {existing.idempotency_key!r} was used for application {existing.pk}, with other terms.",
            code="idempotency_key_reused")
    existing.replayed = True
    return existing


@transaction.atomic
def submit_application(*, customer: Customer, terms: ApplicationTerms, idempotency_key: str,
                       submitted_by: User) -> LoanApplication:
    """Submit an application for ``customer`` (the rules in the module's docstring). Returns the application;
    ``replayed`` is True when the key had already submitted this same application."""
    ensure_may_act_for_customer(submitted_by, customer=customer, permission=APPLY_PERMISSION,
                                what="enter loan applications")
    if not idempotency_key or len(idempotency_key) > 200:
        raise LoanApplicationRefused("An idempotency key of 1 to 200 characters is required.",
                                     code="idempotency_key_invalid")
    # The customer's row lock serialises two submissions with one key (the unique constraint backs it).
    customer = Customer.objects.select_for_update(of=("self",)).select_related("branch").get(pk=customer.pk)
    on = current_business_date()
    existing = LoanApplication.objects.filter(customer=customer, idempotency_key=idempotency_key).first()
    if existing is not None:
        return _replay(existing, _candidate_for_replay(terms=terms, existing=existing))
    candidate = _checked_application(customer=customer, terms=terms, on=on)
    candidate.channel = ApplicationChannel.BRANCH if submitted_by.is_staff else ApplicationChannel.API
    candidate.submitted_by = submitted_by
    candidate.idempotency_key = idempotency_key
    candidate._history_user = submitted_by
    try:
        with transaction.atomic():
            candidate.save()
    except IntegrityError:
        raise LoanApplicationConflict("This application is already being submitted; retry with the same key.",
                                      code="idempotency_request_in_progress") from None
    candidate.replayed = False
    send_task_on_commit(score_loan_application_task, candidate.pk,
                        backstop="the beat task loans.score_waiting_applications scores it")
    return candidate


def _candidate_for_replay(*, terms: ApplicationTerms, existing: LoanApplication) -> LoanApplication:
    """The terms of a replay as they would be stored, without the checks (the first submission passed them; a
    replay after the business date moved must still return it)."""
    product = terms.product
    return LoanApplication(
        product_id=product.pk, currency=product.currency, amount=terms.amount.amount,
        term=product.default_term if terms.term is None else terms.term,
        annual_rate=product.default_rate if terms.annual_rate is None else terms.annual_rate,
        repayment_frequency=terms.repayment_frequency or product.repayment_frequency,
        disbursement_date=terms.disbursement_date or existing.disbursement_date,
        first_repayment_date=terms.first_repayment_date, declared_monthly_income=terms.declared_monthly_income.amount,
        declared_monthly_obligations=(terms.declared_monthly_obligations.amount
                                      if terms.declared_monthly_obligations is not None else Decimal("0")))


@transaction.atomic
def withdraw_application(*, application: LoanApplication, actor: User) -> LoanApplication:
    """The customer (or staff of the branch, on their behalf) withdraws an open application; a decided one
    stays as it is."""
    locked = (LoanApplication.objects.select_for_update(of=("self",)).select_related("customer__branch")
              .get(pk=application.pk))
    ensure_may_act_for_customer(actor, customer=locked.customer, permission=APPLY_PERMISSION,
                                what="withdraw loan applications")
    if locked.status not in OPEN_STATUSES:
        raise LoanApplicationRefused(f"Application {locked.pk} is {locked.get_status_display().lower()}: only an "
                                     "open application can be withdrawn.", code="application_not_open")
    locked.status = ApplicationStatus.WITHDRAWN
    locked.decided_at = timezone.now()
    locked.status_reason = ""
    locked._history_user = actor
    locked.save(update_fields=["status", "decided_at", "status_reason"])
    return locked
