from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "apps.outbox"
    label = "outbox"
    verbose_name = "Domain events (transactional outbox)"


    def ready(self) -> None:
        from apps.outbox import work_queues  # noqa: F401  (registers the failed events queue of the admin home)
