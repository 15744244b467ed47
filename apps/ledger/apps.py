from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "apps.ledger"
    label = "ledger"
    verbose_name = "General ledger"

    def ready(self) -> None:
        from apps.ledger import approvals  # noqa: F401  (registers the ledger's maker-checker operations)
