from django.apps import AppConfig


class LoansConfig(AppConfig):
    name = "apps.loans"
    label = "loans"
    verbose_name = "Loans"

    def ready(self) -> None:
        from apps.loans import (
            approvals,  # noqa: F401  (maker-checker: loan product changes)
            eod_steps,  # noqa: F401  (end of day: accrual, due/overdue, automatic debits)
        )
