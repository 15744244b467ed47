from django.apps import AppConfig


class KycConfig(AppConfig):
    name = "apps.kyc"
    label = "kyc"
    verbose_name = "KYC: documents, checks, reviews and screening"

    def ready(self) -> None:
        # Imported once the app registry is ready (they import models).
        from apps.customers.kyc_hooks import register_kyc_check_hook, register_screening_hook
        from apps.kyc import customer_page, subscribers, work_queues  # noqa: F401  (customer page, outbox, home)
        from apps.kyc.services import screen_customer, start_kyc_check

        # What customers ask of KYC, in the customer's own transaction (apps/customers/kyc_hooks.py).
        register_screening_hook("kyc.screen_customer", screen_customer)
        register_kyc_check_hook("kyc.start_kyc_check", start_kyc_check)
