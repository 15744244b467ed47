from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "apps.ledger"
    label = "ledger"
    verbose_name = "General ledger"

    def ready(self) -> None:
        # Imported once the app registry is ready (it imports models): registers the ledger's maker-checker operations.
        from apps.ledger import approvals  # noqa: F401
