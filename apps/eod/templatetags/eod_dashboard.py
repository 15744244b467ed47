"""The end-of-day panel of the admin index: the business date, the last end of day and its result, and the way
to the end-of-day screen."""

from django import template

from apps.eod.models import EodStepRun
from apps.eod.selectors import last_run
from apps.organization.selectors import BankNotConfigured, current_business_date

register = template.Library()


@register.inclusion_tag("eod/dashboard.html", takes_context=True)
def eod_dashboard(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("eod.view_eodrun"):
        return {"business_date": None}
    try:
        business_date = current_business_date()
    except BankNotConfigured:
        return {"business_date": None}
    run = last_run()
    failed_step = None
    if run is not None and run.status == run.Status.FAILED:
        failed_step = next((step for step in run.steps.all() if step.status == EodStepRun.Status.FAILED), None)
    return {"business_date": business_date, "last_run": run, "failed_step": failed_step}
