"""Booked loans for tests: an approved application written straight to its table (the applications' own flow is
another part's), a funded deposit account, staff who may disburse, and the disbursed loan.

    loan = booked_loan(customer=customer, product=product, account=account, staff=officer)
"""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from django.contrib.auth.models import Permission
from django.utils import timezone

from apps.ledger.selectors import ledger_check_report
from apps.loans.models import ApplicationChannel, ApplicationStatus, LoanApplication
from apps.loans.services.disbursement import disburse_loan
from apps.organization import roles
from apps.organization.models import Bank
from apps.organization.tests.factories import StaffFactory

_keys = itertools.count(1)
LOAN_PERMISSIONS = ("view_loan", "view_loaninstalment", "view_loantransaction", "disburse_loan",
                    "repay_loan_at_counter", "charge_loan")


def loan_staff(branch, *, permissions=LOAN_PERMISSIONS):
    """A loan officer of ``branch`` granted the loan operations directly."""
    user = StaffFactory(role=roles.LOAN_OFFICER, home_branch=branch)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="loans", codename__in=permissions))
    return type(user).objects.get(pk=user.pk)  # a fresh instance: no permission cache


def approved_application(*, customer, product, staff, amount: str = "1200.00", term: int = 12,
                         rate: str | None = None, **fields) -> LoanApplication:
    values = dict(customer=customer, branch=customer.branch, product=product, currency=product.currency,
                  amount=Decimal(amount), term=term, annual_rate=Decimal(rate or product.default_rate),
                  repayment_frequency=product.repayment_frequency, declared_monthly_income=Decimal("3000"),
                  status=ApplicationStatus.APPROVED, channel=ApplicationChannel.BRANCH, submitted_by=staff,
                  idempotency_key=f"application-{next(_keys)}", decided_at=timezone.now())
    values.update(fields)
    return LoanApplication.objects.create(**values)


def booked_loan(*, customer, product, account, staff, **fields):
    application = approved_application(customer=customer, product=product, staff=staff, **fields)
    return disburse_loan(application=application, deposit_account=account, actor=staff,
                         idempotency_key=f"disburse-{application.pk}")


def set_business_date(day: datetime.date) -> None:
    Bank.objects.update(current_business_date=day)


def assert_ledger_clean() -> None:
    report = ledger_check_report()
    assert report.problems == 0, (report.drifted, report.unbalanced)
