from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "apps.compliance"
    label = "compliance"
    verbose_name = "Compliance (anti-money-laundering)"

    def ready(self) -> None:
        # the typology library registers itself; the outbox subscriber that records and evaluates each money
        # movement after it commits; the typology settings' maker-checker operations
        from apps.compliance import approvals, subscribers, typologies  # noqa: F401
