from django.apps import AppConfig


class LoansConfig(AppConfig):
    name = "apps.loans"
    label = "loans"
    verbose_name = "Loans"

    def ready(self) -> None:
        # maker-checker of loan product changes; the admin home's queue of applications under review; the customer
        # page's loan applications; the end of day (accrual, due/overdue, automatic debits); the outcome of a loan
        # paid out to another bank (a payment outcome hook, apps.payments.payment_outcome_hooks)
        from apps.loans import approvals, customer_page, eod_steps, work_queues  # noqa: F401
        from apps.loans.services import disbursement  # noqa: F401
