"""The account pages: branch-scoped, every field read-only (a service owns each), with the columns of
``account_columns`` and the pages and actions of ``account_operations``."""

from django.contrib import admin

from apps.accounts.admin.account_columns import AccountColumnsMixin
from apps.accounts.admin.account_operations import AccountActionsMixin, AccountPagesMixin
from apps.accounts.models import Account, Hold
from apps.organization.branch_scope import BranchScopedAdminMixin
from config.history_admin import EvidenceHistoryAdmin


class HoldInline(admin.TabularInline):
    model = Hold
    fields = ["amount", "reason", "status", "placed_on", "expires_on", "placed_by", "released_on"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Account)
class AccountAdmin(AccountColumnsMixin, AccountPagesMixin, AccountActionsMixin, BranchScopedAdminMixin,
                   EvidenceHistoryAdmin):
    """Branch-scoped accounts with ledger and available balances; freeze, and maker-checker unfreeze and
    closure as actions; CSV and PDF statements, cash deposits and withdrawals from the change page; opening an
    account from the list. Every write is a service call."""

    list_display = ["number", "customer", "product", "status", "ledger_balance", "held", "available_balance",
                    "branch", "opened_on"]
    change_list_template = "admin/accounts/account/change_list.html"
    list_filter = ["status", "product", "branch"]
    search_fields = ["number", "customer__legal_name"]
    list_select_related = ["customer", "product", "branch", "ledger_account"]
    readonly_fields = ["number", "product", "branch", "customer", "ledger_account", "status", "status_before_freeze",
                       "opened_on", "closed_on", "last_customer_activity_on", "interest_posted_through",
                       "fee_charged_through", "maturity_date", "maturity_instruction", "linked_account",
                       "opened_by", "statements"]
    exclude = ["interest_residue", "overdraft_interest_residue"]
    inlines = [HoldInline]
    actions = ["freeze", "request_unfreeze", "request_closure"]

    def has_add_permission(self, request):
        return False  # accounts are opened through the API's service (KYC gate, ledger account, number)

    def save_model(self, request, obj, form, change):
        """Every field of an account is the lifecycle's, the teller's or end of day's, and read-only here: a
        save of the change page writes nothing (a full-row save would put back what a service just changed,
        a freeze for one)."""

    def has_delete_permission(self, request, obj=None):
        return False
