"""The deposit accounts' end-of-day steps, in the order they run (see apps.eod_registry)."""

from apps.accounts.services.accrual import accrue_interest
from apps.accounts.services.holds import expire_holds
from apps.accounts.services.interest import charge_monthly_fees, post_due_interest
from apps.accounts.services.lifecycle import mark_dormant_accounts
from apps.accounts.services.term import mature_term_deposits
from apps.eod_registry import register_step


def _expire_holds(business_date):
    return {"expired": expire_holds(business_date=business_date)}


register_step("accounts.expire_holds", _expire_holds, order=100)
# In a catch-up, accrue_interest runs 300, 400 and 500 itself for each missed date before the closing one
# (close_missed_date): keep its order the same as here.
register_step("accounts.accrue_interest", accrue_interest, order=200)
register_step("accounts.mature_term_deposits", mature_term_deposits, order=300)
register_step("accounts.post_interest", post_due_interest, order=400)
register_step("accounts.charge_monthly_fees", charge_monthly_fees, order=500)
register_step("accounts.mark_dormant", mark_dormant_accounts, order=600)
