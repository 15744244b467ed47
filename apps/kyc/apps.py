from django.apps import AppConfig


class KycConfig(AppConfig):
    name = "apps.kyc"
    label = "kyc"
    verbose_name = "KYC: documents, checks, reviews and screening"

    def ready(self) -> None:
        from apps.kyc import subscribers  # noqa: F401  (registers the KYC outbox subscribers)
