"""The admin home's AML chart: alerts per typology per week, for the roles whose home has it
(``roles.ALERTS_CHART`` in ``roles.HOME_PANELS``) and who may read alerts."""

from django import template

from apps.compliance.selectors import alerts_per_typology_per_week
from apps.compliance.typologies.base import library
from apps.organization import roles
from apps.organization.selectors import BankNotConfigured, current_business_date, home_panels
from config.admin_charts import Chart, count_series

register = template.Library()


def typology_name(code: str) -> str:
    return next((known.name for known in library() if known.code == code), code)


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
    per_week = alerts_per_typology_per_week(business_date=business_date, weeks=weeks)
    return {"chart": Chart(
        id="alerts-chart", title=f"AML alerts per typology, last {weeks} weeks", kind="bar",
        labels=[f"week to {end:%Y-%m-%d}" for end in per_week.weeks],
        series=[count_series(typology_name(code), counts, "alerts") for code, counts in per_week.counts.items()],
        note="Alerts raised per typology in each seven days to the business date (shadow alerts not counted).")}
