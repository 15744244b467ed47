from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "apps.compliance"
    label = "compliance"
    verbose_name = "Compliance (anti-money-laundering)"

    def ready(self) -> None:
        # the typology library registers itself; the outbox subscriber that records and evaluates each money
        # movement after it commits; the maker-checker operations (settings, CTR thresholds, SARs, the four-eyes
        # closure of a case); the end-of-day steps (monitoring, the CTR) and open items; the officer's home queues
        from apps.compliance import approvals, eod_ctr, eod_steps, subscribers, typologies, work_queues  # noqa: F401
