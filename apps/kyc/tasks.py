"""Celery tasks of KYC: thin wrappers that take ids and call a service."""

from collections.abc import Callable

from celery import shared_task

from apps.customers.models import Customer
from apps.kyc import services
from apps.kyc.models import ScreeningListImport
from apps.kyc.services.screening import rescreen_batch, rescreen_batches
from apps.organization.selectors import current_business_date
from apps.outbox.broker import send_task


@shared_task(name="kyc.run_kyc_check", time_limit=120, soft_time_limit=120 - 10)
def run_kyc_check_task(customer_id: int) -> int:
    """An operator's door (``celery call kyc.run_kyc_check``); the code asks for checks through the outbox."""
    check = services.run_kyc_check(customer=Customer.objects.get(pk=customer_id))
    return check.pk


@shared_task(name="kyc.periodic_review", time_limit=30 * 60, soft_time_limit=30 * 60 - 10)
def periodic_kyc_review() -> int:
    """Daily: expire KYC whose review date passed or whose required document expired (business date)."""
    return len(services.expire_due_kyc(on=current_business_date()))


@shared_task(name="kyc.rescreen_customers", time_limit=30 * 60, soft_time_limit=30 * 60 - 10)
def rescreen_customers_task(import_id: int, customer_ids: list[int]) -> int:
    return rescreen_batch(list_import=ScreeningListImport.objects.get(pk=import_id), customer_ids=customer_ids)


def queue_rescreening(*, list_import: ScreeningListImport, batch_size: int | None = None,
                      backstop: str = "the admin re-screens the batch itself",
                      after_batch: Callable[[list[int], bool], None] | None = None) -> int:
    """After an import: every customer re-screened in Celery batches (a batch the broker does not take is
    re-screened in this process). Returns how many customers were queued, also recorded on the import as
    ``customers_to_screen``. Call it outside a transaction. ``after_batch(batch, sent)`` is called after each
    batch (sent to the broker, or screened here): ``manage.py import_screening_list`` reports progress with it."""
    batches = rescreen_batches(batch_size=batch_size)
    total = sum(len(batch) for batch in batches)
    ScreeningListImport.objects.filter(pk=list_import.pk).update(customers_to_screen=total)
    for batch in batches:
        sent = send_task(rescreen_customers_task, list_import.pk, batch, backstop=backstop)
        if not sent:
            rescreen_batch(list_import=list_import, customer_ids=batch)
        if after_batch is not None:
            after_batch(batch, sent)
    return total
