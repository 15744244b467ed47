"""The admin home's transfer chart: internal transfers per business date, for the roles whose home has it
(``roles.HOME_PANELS``), paid from their branch's accounts, or the whole bank's at head office."""

from django import template

from apps.money import format_amount
from apps.organization import roles
from apps.organization.selectors import BankNotConfigured, branches_in_figures_of, current_business_date, home_panels
from apps.payments.selectors import transfer_volume_per_day
from config.admin_charts import Chart, ChartSeries

register = template.Library()


@register.inclusion_tag("admin/chart.html", takes_context=True)
def transfers_chart(context, days: int = 30):
    request = context.get("request")
    user = getattr(request, "user", None)
    if (user is None or not user.is_authenticated or roles.TRANSFERS_CHART not in home_panels(user)
            or not user.has_perm("payments.view_transfer")):
        return {"chart": None}
    try:
        business_date = current_business_date()
    except BankNotConfigured:
        return {"chart": None}
    branches = branches_in_figures_of(user)
    volume = transfer_volume_per_day(branches=branches, business_date=business_date, days=days)
    series = [ChartSeries(label=currency, values=[str(amount) for amount in amounts],
                          texts=[f"{format_amount(amount, currency)} in {count:,} transfer{'s' if count != 1 else ''}"
                                 for amount, count in zip(amounts, volume.counts[currency], strict=True)])
              for currency, amounts in volume.amounts.items()]
    whose = "all accounts" if branches is None else "accounts of " + ", ".join(branch.name for branch in branches)
    return {"chart": Chart(
        id="transfers-chart", title=f"Transfer volume, last {days} business dates", kind="bar",
        labels=[day.isoformat() for day in volume.dates], series=series,
        note=f"Internal transfers paid from {whose}, per business date (those reversed since included).")}
