from django.apps import AppConfig


class EodConfig(AppConfig):
    name = "apps.eod"
    label = "eod"
    verbose_name = "End of day"

    def ready(self) -> None:
        from apps.eod import seal  # noqa: F401  (registers the last step: sealing the business date)
