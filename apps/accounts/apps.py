from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = "Deposit accounts"

    def ready(self) -> None:
        # maker-checker operations, end-of-day steps, the customer page's accounts
        from apps.accounts import approvals, customer_page, eod_steps  # noqa: F401
