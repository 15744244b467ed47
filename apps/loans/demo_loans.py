"""Demo booked loans in every state, so the admin's loan pages and ``GET /api/v1/loans/`` show something: an
approved application written for a demo customer (the applications' own flow is not what is being shown here),
its loan disbursed into the customer's account some weeks ago, and its history since, each movement on its own
past business date through the services the bank uses (the way the deposit accounts' three months are loaded,
apps/accounts/demo.py):

- Ana Sousa's personal loan, every instalment paid by the automatic debit on its due date (active, on time);
- Inês Costa's personal loan, its first instalment unpaid (overdue: the end of day's marking for yesterday);
- Tasca do Rio's business loan, partly prepaid, the instalment lowered (active, re-amortised);
- Ana Sousa's micro loan, paid off after a few weeks (closed).

Then the loans' interest is accrued day by day up to yesterday (``accrue_loan_interest``: one run per date). The
disbursement books on the bank's business date, so each loan is disbursed with the bank's date set back to its
day and put back after. Idempotent: one loan per customer and application key; a second run adds nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from django.utils import timezone

from apps.accounts.models import Account, ProductKind
from apps.customers.models import Customer
from apps.loans.allocation import owed_by
from apps.loans.loan_rules import live_instalments
from apps.loans.models import (
    ApplicationChannel,
    ApplicationStatus,
    Loan,
    LoanApplication,
    LoanProduct,
    PrepaymentChoice,
    TransactionChannel,
)
from apps.loans.services.accrual import accrue_loan_interest
from apps.loans.services.collection import mark_instalments
from apps.loans.services.disbursement import disburse_loan
from apps.loans.services.quotes import payoff_quote
from apps.loans.services.repayment import repay_loan
from apps.money import Money
from apps.organization.models import Bank, User
from apps.organization.selectors import current_business_date

ON_TIME, OVERDUE, PREPAID, PAID_OFF = "on time", "overdue", "partly prepaid", "paid off"
# (customer email, product, amount, term, disbursed days ago, story)
LOANS = [("ana.sousa@demo.ogpgy.example", "PL", "5000.00", 24, 65, ON_TIME),
         ("ines.costa@demo.ogpgy.example", "PL", "1500.00", 12, 45, OVERDUE),
         ("tasca.rio@demo.ogpgy.example", "SME", "20000.00", 8, 60, PREPAID),
         ("ana.sousa@demo.ogpgy.example", "MICRO", "600.00", 8, 50, PAID_OFF)]
PREPAID_AMOUNT, PREPAID_DAYS_AGO = "3000.00", 20
PAID_OFF_AFTER_WEEKS = 3


@contextmanager
def business_date_set_back(day: datetime.date) -> Iterator[None]:
    """The bank's business date at ``day`` for what runs inside (it is put back after)."""
    today = current_business_date()
    Bank.objects.update(current_business_date=day)
    try:
        yield
    finally:
        Bank.objects.update(current_business_date=today)


def _application(customer: Customer, product: LoanProduct, amount: str, term: int, admin: User) -> LoanApplication:
    return LoanApplication.objects.get_or_create(
        customer=customer, idempotency_key=f"demo-loan-{product.code}", defaults=dict(
            branch=customer.branch, product=product, currency=product.currency, amount=Decimal(amount), term=term,
            annual_rate=product.default_rate, repayment_frequency=product.repayment_frequency,
            declared_monthly_income=Decimal("3000"), status=ApplicationStatus.APPROVED,
            channel=ApplicationChannel.BRANCH, submitted_by=admin, decided_at=timezone.now()))[0]


def _pay_due(loan: Loan, day: datetime.date) -> None:
    """The automatic debit of ``day``: what is due by then, from the loan's account."""
    owed = owed_by(live_instalments(loan).exclude(status="paid"), day)
    if owed > 0:
        repay_loan(loan=loan, amount=Money(owed, loan.currency), actor=None, channel=TransactionChannel.AUTO_DEBIT,
                   idempotency_key=f"auto-debit:{day}", value_date=day, booked_on=day)


def _history(loan: Loan, story: str, admin: User, today: datetime.date) -> None:
    due_dates = list(live_instalments(loan).values_list("due_date", flat=True))
    if story == ON_TIME:
        for day in (d for d in due_dates if d < today):
            _pay_due(loan, day)
    elif story == PREPAID:
        day = today - datetime.timedelta(days=PREPAID_DAYS_AGO)
        for due in (d for d in due_dates if d <= day):
            _pay_due(loan, due)
        repay_loan(loan=loan, amount=Money(PREPAID_AMOUNT, loan.currency), actor=admin, value_date=day,
                   booked_on=day, prepayment=PrepaymentChoice.LOWER_INSTALMENT,
                   idempotency_key=f"demo-prepayment-{loan.pk}")
    elif story == PAID_OFF:
        for due in due_dates[:PAID_OFF_AFTER_WEEKS]:
            _pay_due(loan, due)
        day = due_dates[PAID_OFF_AFTER_WEEKS - 1] + datetime.timedelta(days=2)
        repay_loan(loan=loan, amount=Money(payoff_quote(loan=loan, as_of=day).total, loan.currency), actor=admin,
                   value_date=day, booked_on=day, prepayment=PrepaymentChoice.SHORTEN_TERM,
                   idempotency_key=f"demo-payoff-{loan.pk}")
    # OVERDUE: nothing paid; the end of day's marking shows it.


def seed_demo_loans(out) -> None:
    admin = User.objects.filter(username="admin").first()
    today = current_business_date()
    made = []
    for email, code, amount, term, days_ago, story in LOANS:
        customer = Customer.objects.filter(email__iexact=email).first()
        product = LoanProduct.objects.filter(code=code).first()
        account = Account.objects.filter(customer=customer, product__kind=ProductKind.CURRENT).first()
        if None in (admin, customer, product, account):
            continue
        application = _application(customer, product, amount, term, admin)
        if application.status != ApplicationStatus.APPROVED:
            continue  # disbursed by an earlier run
        with business_date_set_back(today - datetime.timedelta(days=days_ago)):
            loan = disburse_loan(application=application, deposit_account=account, actor=admin,
                                 idempotency_key=f"demo-disbursement-{application.pk}")
        _history(loan, story, admin, today)
        made.append(f"{customer.legal_name} {code} ({story})")
    yesterday = today - datetime.timedelta(days=1)
    if made:
        mark_instalments(yesterday)
        accrue_loan_interest(yesterday)
    out.write(f"Demo loans: {len(made)} loans disbursed{': ' if made else ''}{', '.join(made)}\n")
