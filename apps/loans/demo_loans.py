"""Demo booked loans, so the admin's loan pages and ``GET /api/v1/loans/`` show something: an approved
application written for two demo customers (the applications' own flow is not what is being shown here) and its
loan disbursed into the customer's current account today, by the demo superuser. Idempotent: one loan per
customer and product."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from apps.accounts.models import Account, ProductKind
from apps.customers.models import Customer
from apps.loans.models import ApplicationChannel, ApplicationStatus, LoanApplication, LoanProduct
from apps.loans.services.disbursement import disburse_loan
from apps.organization.models import User

LOANS = [("ana.sousa@demo.ogpgy.example", "PL", "5000.00", 24),
         ("tasca.rio@demo.ogpgy.example", "SME", "20000.00", 8)]


def seed_demo_loans(out) -> None:
    admin = User.objects.filter(username="admin").first()
    made = 0
    for email, code, amount, term in LOANS:
        customer = Customer.objects.filter(email__iexact=email).first()
        product = LoanProduct.objects.filter(code=code).first()
        account = Account.objects.filter(customer=customer, product__kind=ProductKind.CURRENT).first()
        if None in (admin, customer, product, account):
            continue
        application, _ = LoanApplication.objects.get_or_create(
            customer=customer, idempotency_key=f"demo-loan-{code}", defaults=dict(
                branch=customer.branch, product=product, currency=product.currency, amount=Decimal(amount),
                term=term, annual_rate=product.default_rate, repayment_frequency=product.repayment_frequency,
                declared_monthly_income=Decimal("3000"), status=ApplicationStatus.APPROVED,
                channel=ApplicationChannel.BRANCH, submitted_by=admin, decided_at=timezone.now()))
        if application.status == ApplicationStatus.APPROVED:
            disburse_loan(application=application, deposit_account=account, actor=admin,
                          idempotency_key=f"demo-disbursement-{application.pk}")
            made += 1
    out.write(f"Demo loans: {made} loans disbursed\n")
