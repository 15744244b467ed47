"""The end-of-day panel of the admin index: the business date and the way to the end-of-day screen."""

from django import template

from apps.organization.selectors import BankNotConfigured, current_business_date

register = template.Library()


@register.inclusion_tag("eod/dashboard.html", takes_context=True)
def eod_dashboard(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("eod.view_eodrun"):
        return {"business_date": None}
    try:
        return {"business_date": current_business_date()}
    except BankNotConfigured:
        return {"business_date": None}
