from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "apps.outbox"
    label = "outbox"
    verbose_name = "Domain events (transactional outbox)"

    def ready(self) -> None:
        from apps.outbox import eod_open_items  # noqa: F401  (what the end-of-day screen shows as open)
