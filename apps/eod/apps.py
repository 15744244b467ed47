from django.apps import AppConfig


class EodConfig(AppConfig):
    name = "apps.eod"
    label = "eod"
    verbose_name = "End of day"

    def ready(self) -> None:
        from apps.eod import open_items, seal  # noqa: F401  (the open items of the layers below; the last step: sealing)
