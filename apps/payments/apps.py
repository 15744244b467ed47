from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "apps.payments"
    label = "payments"
    verbose_name = "Payments"

    def ready(self) -> None:
        # Here, not at the top: these modules import models, which exist only once the app registry is ready.
        from apps.accounts.statement_pending import register_pending_source
        from apps.ledger.reversal_hooks import register_reversal_hook
        from apps.payments import approvals, customer_page, eod_steps, work_queues  # noqa: F401  (and the customer page)
        from apps.payments.services.reversals import mark_transfer_reversed
        from apps.payments.statement_pending import pending_outgoing_payments

        register_reversal_hook("payments.transfer", mark_transfer_reversed)
        register_pending_source("payments.outgoing", pending_outgoing_payments)
