from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = "Deposit accounts"

    def ready(self) -> None:
        from apps.accounts import approvals, eod_steps  # noqa: F401  (maker-checker operations, end-of-day steps)
