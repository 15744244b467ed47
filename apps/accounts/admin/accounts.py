"""The account pages: branch-scoped, every field read-only (a service owns each), with the list columns of
``account_columns``, the read page of ``account_page`` and the operations of ``account_operations`` (the
counter) and ``account_status`` (freeze, unfreeze, closure, early withdrawal)."""

from django.contrib import admin

from apps.accounts.admin.account_columns import AccountColumnsMixin
from apps.accounts.admin.account_operations import AccountPagesMixin
from apps.accounts.admin.account_page import AccountReadPageMixin
from apps.accounts.admin.account_status import AccountActionsMixin, AccountStatusPagesMixin
from apps.accounts.models import Account
from apps.organization.branch_scope import BranchScopedAdminMixin
from config.admin_currency_filter import currency_filter
from config.admin_paginator import LargeListAdminMixin
from config.history_admin import EvidenceHistoryAdmin


@admin.register(Account)
class AccountAdmin(LargeListAdminMixin, AccountColumnsMixin, AccountReadPageMixin, AccountStatusPagesMixin,
                   AccountPagesMixin, AccountActionsMixin, BranchScopedAdminMixin, EvidenceHistoryAdmin):
    """Branch-scoped accounts with ledger and available balances. The account's page reads its balances,
    holds and last postings, and starts every staff operation on it (cash, holds, statement, freeze, unfreeze,
    closure, early withdrawal); the list opens accounts and freezes, unfreezes or closes the selected ones.
    Every write is a service call."""

    list_display = ["number", "customer", "product_name", "status", "ledger_balance", "held", "available_balance",
                    "branch_code"]  # get_list_display: the branch for bank-wide roles only
    change_list_template = "admin/accounts/account/change_list.html"
    list_filter = ["status", "product", currency_filter("product__currency"), "branch"]
    search_fields = ["number", "customer__legal_name"]
    list_select_related = ["customer", "product", "branch", "ledger_account"]
    readonly_fields = ["number", "product", "branch", "customer", "ledger_account", "status", "status_before_freeze",
                       "opened_on", "closed_on", "last_customer_activity_on", "interest_posted_through",
                       "fee_charged_through", "maturity_date", "maturity_instruction", "linked_account",
                       "opened_by"]
    actions = ["freeze", "request_unfreeze", "request_closure"]

    def has_add_permission(self, request):
        return False  # accounts are opened through open_account (the list's "Open an account")

    def save_model(self, request, obj, form, change):
        """Every field of an account is the lifecycle's, the teller's or end of day's, and read-only here: a
        save of the change page writes nothing (a full-row save would put back what a service just changed,
        a freeze for one)."""

    def has_delete_permission(self, request, obj=None):
        return False
