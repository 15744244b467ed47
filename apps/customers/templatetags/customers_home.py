"""The admin home's KYC chart: the customers the staff member may see, by KYC status, for the roles whose home
has it (``roles.HOME_PANELS``)."""

from django import template

from apps.customers.selectors import customers_for, kyc_status_mix
from apps.organization import roles
from apps.organization.selectors import home_panels
from config.admin_charts import Chart, count_series

register = template.Library()


@register.inclusion_tag("admin/chart.html", takes_context=True)
def kyc_mix_chart(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if (user is None or not user.is_authenticated or roles.KYC_MIX_CHART not in home_panels(user)
            or not user.has_perm("customers.view_customer")):
        return {"chart": None}
    mix = kyc_status_mix(customers_for(user))
    return {"chart": Chart(
        id="kyc-mix-chart", title="Customers by KYC status", kind="doughnut", labels=[label for label, _ in mix],
        series=[count_series("Customers", [count for _, count in mix], "customers")],
        note="Every customer you may see, by the state of their KYC.")}
