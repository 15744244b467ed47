"""What KYC does with domain events: run the KYC checks asked for, tell a branch's managers when a customer's KYC
expired."""

from django.conf import settings
from django.core.mail import send_mail

from apps.customers.models import Customer
from apps.kyc.services.checks import run_kyc_check
from apps.organization.models import User
from apps.organization.roles import BRANCH_MANAGER
from apps.outbox.models import OutboxEvent
from apps.outbox.subscribers import subscriber


def branch_manager_emails(branch_id: int) -> list[str]:
    return sorted(User.objects.filter(home_branch_id=branch_id, is_active=True, groups__name=BRANCH_MANAGER)
                  .exclude(email="").values_list("email", flat=True).distinct())


@subscriber("kyc.run_requested_check", events=["kyc.check_requested"])
def run_requested_check(event: OutboxEvent) -> None:
    """The KYC check asked for by ``start_kyc_check``. Running it again decides again on the same evidence."""
    run_kyc_check(customer=Customer.objects.get(pk=event.payload["customer_id"]))


@subscriber("kyc.email_branch_managers_on_expiry", events=["kyc.expired"])
def email_branch_managers_on_expiry(event: OutboxEvent) -> None:
    """One email per expired customer to the home branch's managers, so they ask for new documents.

    Idempotent through the outbox's delivery record: a redelivered event does not email again (unless the
    worker died between sending and recording, the at-least-once corner the outbox accepts).
    """
    payload = event.payload
    recipients = branch_manager_emails(payload["branch_id"])
    if not recipients:
        return
    send_mail(
        subject=f"[{payload['branch_code']}] KYC expired: customer #{payload['customer_id']}",
        message=(f"The KYC of {payload['legal_name']} (customer #{payload['customer_id']}) expired on "
                 f"{payload['business_date']}: {payload['reason']}.\n\nUntil it is verified again the customer "
                 "cannot open accounts, receive loans or send payments. Ask for up-to-date documents."),
        from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=recipients,
    )
