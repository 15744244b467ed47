"""The account's page: a read page, not a form. Balances and what the overdraft means, holds, the last
postings with the running balance, the freeze's reason, and the operations the staff member may start from
here; every field below is read-only (a service owns each), so there is no Save button."""

from django.urls import reverse

from apps.accounts.models import Account, Hold, ProductKind
from apps.accounts.selectors import account_position, freeze_record, holds_of, recent_transactions
from apps.accounts.services import teller
from apps.accounts.services.holds import ensure_staff_may_change_holds
from apps.accounts.services.term import ensure_may_break_term_deposit
from apps.domain_errors import PermissionRefused

RECENT_TRANSACTIONS = 10


def _allowed(rule, user, account) -> bool:
    try:
        rule(user, account)
    except PermissionRefused:
        return False
    return True


class AccountReadPageMixin:
    """The change page as the account's read page (template ``admin/accounts/account/change_form.html``)."""

    fieldsets = [
        (None, {"fields": ["number", "customer", "product", "branch", "status", "status_before_freeze",
                           "opened_on", "opened_by", "closed_on", "last_customer_activity_on"]}),
        ("Term deposit", {"fields": ["maturity_date", "maturity_instruction", "linked_account"],
                          "classes": ["collapse"]}),
        ("End of day", {"fields": ["interest_posted_through", "fee_charged_through", "ledger_account"],
                        "classes": ["collapse"]}),
    ]

    def operations_for(self, request, account: Account) -> list[tuple[str, str]]:
        """(label, URL) of each operation this user may start on this account in its present state; the
        service decides again when it runs."""
        user, status, pk = request.user, account.status, account.pk
        url = lambda name: reverse(f"admin:accounts_account_{name}", args=[pk])  # noqa: E731
        operations = [("Statement for a period", url("statement"))]
        open_statuses = (Account.Status.ACTIVE, Account.Status.DORMANT, Account.Status.PENDING)
        if status in open_statuses and _allowed(teller.ensure_may_handle_cash, user, account):
            operations.insert(0, ("Deposit or withdraw cash", url("cash")))
        if status not in (Account.Status.CLOSED, Account.Status.PENDING) and _allowed(
                ensure_staff_may_change_holds, user, account):
            operations.append(("Place a hold", url("hold")))
        if user.has_perm("accounts.freeze_account"):
            if status == Account.Status.FROZEN:
                operations.append(("Request unfreezing", url("unfreeze")))
            elif status in (Account.Status.ACTIVE, Account.Status.DORMANT):
                operations.append(("Freeze the account", url("freeze")))
        running_term = account.product.kind == ProductKind.TERM and status == Account.Status.ACTIVE
        if running_term and _allowed(ensure_may_break_term_deposit, user, account):
            operations.append(("Break the term deposit", url("break")))
        if (not running_term and status != Account.Status.CLOSED
                and user.has_perm("accounts.request_account_closure") and self.has_change_permission(request, account)):
            operations.append(("Request closure", url("close")))
        return operations

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            holds = holds_of(obj)
            may_release = _allowed(ensure_staff_may_change_holds, request.user, obj)
            context.update({
                "title": f"Account {obj.number}",
                "subtitle": f"{obj.customer} · {obj.product.name} · {obj.branch.name} · {obj.get_status_display()}",
                "position": account_position(obj),
                "holds": holds,
                "may_release_holds": may_release and any(hold.status == Hold.Status.ACTIVE for hold in holds),
                "transactions": recent_transactions(obj, limit=RECENT_TRANSACTIONS),
                "recent_count": RECENT_TRANSACTIONS,
                "frozen": freeze_record(obj),
                "operations": self.operations_for(request, obj),
                # Every field is a service's: nothing to save, so no Save row (the page is read, not edited).
                "has_editable_fields": bool(context["adminform"].form.fields),
            })
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)
