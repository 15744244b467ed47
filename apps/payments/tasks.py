from celery import shared_task

from apps.payments.services.external import poll_outgoing_payments, send_to_gateway


# The registered name is the one queued messages carry: it stays as it was when the function was renamed.
@shared_task(name="payments.submit_outgoing_payment", bind=True, max_retries=8, time_limit=120, acks_late=True)
def send_to_gateway_task(self, payment_id: int) -> str:
    status = send_to_gateway(payment_id=payment_id)
    # Nothing reached the gateway: try again with backoff (the poller is the backstop, and the only retry when
    # tasks run eagerly in the embedded mode, where a retry would surface in the caller's request).
    if status == "unavailable" and not self.request.is_eager:
        raise self.retry(countdown=min(600, 5 * 2**self.request.retries))
    return status


@shared_task(name="payments.poll_outgoing_payments", time_limit=600)
def poll_outgoing_payments_task() -> dict:
    return poll_outgoing_payments()
