from django.apps import AppConfig

from apps.ledger.integrity_checks import register_integrity_check


class EodConfig(AppConfig):
    name = "apps.eod"
    label = "eod"
    verbose_name = "End of day"

    def ready(self) -> None:
        # Imported once the app registry is ready (they import models): the open items of the layers below, the
        # last step (sealing), and ledger_check's check of the seal chain.
        from apps.eod import open_items, seal  # noqa: F401

        register_integrity_check("eod.seal_chain", seal.seal_chain_check)
