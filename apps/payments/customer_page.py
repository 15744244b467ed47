"""The payments-under-review section of the customer page: payments from the customer's accounts that a fraud
rule held and that wait for compliance (each a link to its review), with the payee."""

from apps.customers.customer_page import CustomerPageSection, register_customer_page_section
from apps.payments.models import PaymentReview


def payments_under_review(customer) -> list[PaymentReview]:
    """Pending reviews of payments from any account the customer holds, oldest first, in one query."""
    return list(PaymentReview.objects.filter(from_account__holder_links__customer_id=customer.pk,
                                             status=PaymentReview.Status.PENDING)
                .select_related("from_account", "transfer__to_account", "outgoing_payment")
                .order_by("created_at", "pk"))


def payments_section(request, customer) -> CustomerPageSection | None:
    if not request.user.has_perm("payments.view_paymentreview"):
        return None
    return CustomerPageSection(title="Payments under review", template="admin/payments/customer_page_reviews.html",
                               anchor="payments-under-review", context={"reviews": payments_under_review(customer)})


register_customer_page_section("payments.reviews", payments_section, order=300)
