"""Demo loan applications, one in each state the loan officers' queue shows, scored against the credit bureau
simulator run on loopback for the seeding (apps/loans/bureau/simulator.py). Runs after the demo loan products."""

from __future__ import annotations

from apps.accounts.models import Account
from apps.customers.models import Customer
from apps.kyc.selectors import is_kyc_verified
from apps.loans.bureau.http import HttpCreditBureau
from apps.loans.bureau.selection import OfflineCreditBureau
from apps.loans.bureau.simulator import BureauSimulatorServer
from apps.loans.models import LoanProduct
from apps.loans.services.applications import ApplicationTerms, submit_application, withdraw_application
from apps.loans.services.scoring import score_application
from apps.loans.services.underwriting import approve_application, reject_application, underwrite_application
from apps.money import Money
from apps.organization.models import User

# Demo applications, one per state the queue shows: (state, amount, term, declared income, obligations).
APPLICATIONS = [
    ("submitted", "4000", 24, "2500", "300"),
    ("scored", "7500", 36, "3200", "400"),
    ("bureau_down", "3000", 12, "1800", "0"),
    ("underwritten", "12000", 48, "4200", "600"),
    ("approved", "6000", 24, "3000", "250"),
    ("rejected", "25000", 60, "1500", "700"),
    ("withdrawn", "2000", 12, "2000", "100"),
]


def seed_loan_applications(out) -> None:
    """Loan applications in every state of the queue, on the Personal Loan, for the demo's verified customers with
    a EUR account, scored against the bureau simulator run on loopback for the seeding. Idempotent: a replayed
    submission (same key) is left as it is."""
    product = LoanProduct.objects.filter(code="PL").first()
    with_accounts = Account.objects.filter(ledger_account__currency="EUR").values("customer_id")
    customers = [c for c in Customer.objects.filter(pk__in=with_accounts).select_related("branch").order_by("pk")
                 if is_kyc_verified(c)]
    if product is None or not customers:
        return
    made = 0
    with BureauSimulatorServer() as simulator:
        bureau = HttpCreditBureau(base_url=simulator.url, api_token=simulator.bureau.api_token, name="creditline")
        for number, (state, amount, term, income, obligations) in enumerate(APPLICATIONS):
            customer = customers[number % len(customers)]
            staff = {role: User.objects.get(username=f"{role}.{customer.branch.code.lower()}")
                     for role in ("teller", "loans", "manager")}
            application = submit_application(
                customer=customer, submitted_by=staff["teller"], idempotency_key=f"demo-loan-{number + 1}",
                terms=ApplicationTerms(product=product, amount=Money(amount, "EUR"), term=term,
                                       declared_monthly_income=Money(income, "EUR"),
                                       declared_monthly_obligations=Money(obligations, "EUR"),
                                       purpose="Demo: " + state.replace("_", " ")))
            if application.replayed:
                continue
            made += 1
            if state == "withdrawn":
                withdraw_application(application=application, actor=staff["teller"])
            if state in ("submitted", "withdrawn"):
                continue
            score_application(application=application, actor=None,
                              bureau=OfflineCreditBureau() if state == "bureau_down" else bureau)
            if state == "rejected":
                reject_application(application=application, actor=staff["loans"],
                                   reasons=["debt_to_income_too_high"])
            if state in ("underwritten", "approved"):
                underwrite_application(application=application, underwriter=staff["loans"], recommendation="approve",
                                       note="Demo: salary paid into the current account.")
            if state == "approved":
                approve_application(application=application, checker=staff["manager"])
    out.write(f"Demo loans: {made} loan applications added (submitted, scored, waiting for the bureau, "
              "underwritten, approved, rejected, withdrawn)\n")
