"""The admin home's money panels: the branch's cash (vault, counter today), its figures (deposits, today's
movements) and the deposits chart, each shown to the roles whose home has it (``roles.HOME_PANELS``), for their
branch, or for the bank and each branch when they work at head office."""

from django import template

from apps.accounts.branch_figures import branch_figures, deposits_over_time
from apps.organization import roles
from apps.organization.selectors import BankNotConfigured, branches_in_figures_of, current_business_date, home_panels
from config.admin_charts import Chart, money_series

register = template.Library()


def _staff(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_staff:
        return None
    return user


@register.inclusion_tag("accounts/home_figures.html", takes_context=True)
def branch_figures_panel(context):
    user = _staff(context)
    panels = home_panels(user) if user else frozenset()
    show_cash, show_figures = roles.BRANCH_CASH in panels, roles.BRANCH_FIGURES in panels
    if not (show_cash or show_figures) or not user.has_perm("ledger.view_ledgeraccount"):
        return {"figures": None}
    try:
        business_date = current_business_date()
    except BankNotConfigured:
        return {"figures": None}
    branches = branches_in_figures_of(user)
    return {"figures": branch_figures(branches=branches, business_date=business_date), "show_cash": show_cash,
            "show_figures": show_figures, "business_date": business_date, "head_office": branches is None}


@register.inclusion_tag("admin/chart.html", takes_context=True)
def deposits_chart(context, days: int = 30):
    user = _staff(context)
    if user is None or roles.DEPOSITS_CHART not in home_panels(user) or not user.has_perm("accounts.view_account"):
        return {"chart": None}
    try:
        business_date = current_business_date()
    except BankNotConfigured:
        return {"chart": None}
    branches = branches_in_figures_of(user)
    history = deposits_over_time(branches=branches, business_date=business_date, days=days)
    whose = "the bank's customers" if branches is None else ", ".join(branch.name for branch in branches)
    return {"chart": Chart(
        id="deposits-chart", title=f"Deposits, last {days} business dates", kind="line",
        labels=[day.isoformat() for day in history.dates],
        series=[money_series(currency, amounts, currency) for currency, amounts in history.by_currency.items()],
        note=f"Customer deposit balances of {whose} at the end of each business date (the last: now).")}
