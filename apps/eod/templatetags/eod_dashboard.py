"""The end-of-day panel of the admin index: the business date, the last end of day and its result, the way to
the end-of-day screen, and, for the roles whose home shows the bank's state (operations, audit), the seal chain:
its links checked on every view, and the last full verification (``apps.eod.seal.seal_chain_status``)."""

from django import template

from apps.eod.models import EodStepRun
from apps.eod.seal import seal_chain_status
from apps.eod.selectors import last_run
from apps.organization import roles
from apps.organization.selectors import BankNotConfigured, current_business_date, home_panels

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
    show_seals = roles.BANK_STATE in home_panels(user) and user.has_perm("eod.view_ledgerseal")
    return {"business_date": business_date, "last_run": run, "failed_step": failed_step,
            "seals": seal_chain_status() if show_seals else None,
            "may_check_ledger": user.has_perm("ledger.view_ledgercheck")}
