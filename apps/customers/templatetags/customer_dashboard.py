"""The customers panel of the admin index: totals by type, KYC and branch, within the user's scope."""

from django import template

from apps.customers.models import Customer
from apps.customers.selectors import customer_statistics, customers_for

register = template.Library()


@register.inclusion_tag("customers/dashboard.html", takes_context=True)
def customer_dashboard(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("customers.view_customer"):
        return {"statistics": None}
    return {"statistics": customer_statistics(customers_for(user)),
            "in_review_status": Customer.KycStatus.IN_PROGRESS}
