"""The admin home's AML chart: alerts per typology per week (apps/compliance/charts.py), for the roles whose home
has it (``roles.ALERTS_CHART`` in ``roles.HOME_PANELS``) and who may read alerts."""

from django import template

from apps.compliance.charts import alerts_per_typology_per_week
from apps.organization import roles
from apps.organization.selectors import BankNotConfigured, current_business_date, home_panels

register = template.Library()


@register.inclusion_tag("admin/chart.html", takes_context=True)
def alerts_chart(context, weeks: int = 8):
    request = context.get("request")
    user = getattr(request, "user", None)
    if (user is None or not user.is_authenticated or roles.ALERTS_CHART not in home_panels(user)
            or not user.has_perm("compliance.view_alert")):
        return {"chart": None}
    try:
        business_date = current_business_date()
    except BankNotConfigured:
        return {"chart": None}
    return {"chart": alerts_per_typology_per_week(business_date=business_date, weeks=weeks)}
