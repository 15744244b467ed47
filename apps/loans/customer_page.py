"""The loan applications section of the customer page: the customer's applications (each a link to its page, with
its status and latest score) and, for staff who enter them, a link to enter one for this customer."""

from django.urls import reverse

from apps.customers.customer_page import CustomerPageSection, register_customer_page_section
from apps.loans.application_selectors import applications_visible_to_staff, with_latest_score
from apps.loans.services.applications import APPLY_PERMISSION

SHOWN = 10


def applications_section(request, customer) -> CustomerPageSection | None:
    if not request.user.has_perm("loans.view_loanapplication"):
        return None
    applications = list(with_latest_score(applications_visible_to_staff(request.user).filter(customer=customer))
                        .order_by("-submitted_at", "-id")[:SHOWN])
    enter_url = (reverse("admin:loans_loanapplication_add") + f"?customer={customer.pk}"
                 if request.user.has_perm(APPLY_PERMISSION) else "")
    return CustomerPageSection(title="Loan applications", template="admin/loans/customer_page_applications.html",
                               anchor="loan-applications",
                               context={"applications": applications, "enter_url": enter_url})


register_customer_page_section("loans.applications", applications_section, order=400)
