from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import Q

from apps.domain_errors import DomainError
from apps.ledger.models import JournalEntry, LedgerAccount, Posting
from apps.ledger.selectors import (
    entry_sources,
    journal_entries_visible_to,
    postings_visible_to,
    with_current_balance,
)
from apps.ledger.services import propose_ledger_account_change, set_ledger_account_status
from apps.organization.branch_scope import BranchScopedAdminMixin
from apps.organization.configuration_admin import ConfigurationChangeAdminMixin
from apps.organization.services import request_approval
from config.admin_currency_filter import currency_filter
from config.admin_money import money_cell, money_column
from config.admin_paginator import LargeListAdminMixin
from config.admin_search import compact, row_number, starting_with
from config.history_admin import EvidenceHistoryAdmin
from config.read_only_admin import ReadOnlyAdminMixin

STORED_BALANCE = money_column("balance", description="Stored balance")
POSTING_AMOUNT = money_column("amount")


@admin.register(LedgerAccount)
class LedgerAccountAdmin(LargeListAdminMixin, ConfigurationChangeAdminMixin, BranchScopedAdminMixin,
                         EvidenceHistoryAdmin):
    """The chart of accounts. Changing a house account (its overdraft, name, code, branch) is proposed to a
    checker; the ledger account of a customer's deposit account is read-only here: its overdraft follows its
    product and its status the deposit account (freeze and unfreeze that account)."""

    proposes_additions = False
    list_display = ["code", "name", "type", "currency", "current_balance", "status", "branch", "balance_tracking"]
    list_filter = ["type", currency_filter(), "status", "balance_tracking", "branch"]
    search_fields = ["code", "name"]
    list_select_related = ["branch"]
    readonly_fields = [STORED_BALANCE, "status", "created_at", "owner_type", "owner_id"]
    actions = ["freeze", "unfreeze"]

    def get_queryset(self, request):
        return with_current_balance(super().get_queryset(request))

    def get_search_results(self, request, queryset, search_term):
        """The accounts whose code starts with the term (``1000``, an account number or its start), or whose
        name contains it (a trigram index on PostgreSQL, ledger migration 0007)."""
        term = search_term.strip()
        if not term:
            return queryset, False
        code = compact(term)
        by_code = starting_with("code", code) if code.isalnum() else Q(code=term)
        return queryset.filter(by_code | Q(name__icontains=term)), False

    def _set_status(self, request, queryset, status):
        for account in queryset:
            try:
                set_ledger_account_status(account=account, status=status, changed_by=request.user)
            except DomainError as error:
                self.message_user(request, f"{account.code}: {error}", messages.ERROR)
            else:
                self.message_user(request, f"{account.code} is now {status}.")

    @admin.action(description="Freeze the selected accounts (nothing may leave them)", permissions=["change"])
    def freeze(self, request, queryset):
        self._set_status(request, queryset, LedgerAccount.Status.FROZEN)

    @admin.action(description="Unfreeze the selected accounts", permissions=["change"])
    def unfreeze(self, request, queryset):
        self._set_status(request, queryset, LedgerAccount.Status.OPEN)

    @admin.display(description="Balance", ordering="current_balance")
    def current_balance(self, account):
        return money_cell(account.current_balance, account.currency)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:  # the currency and type of an account in use never change
            fields += ["currency", "type", "balance_tracking"]
        return fields

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.owner_type_id:
            return False  # the deposit (or loan) account and its product own this row
        return super().has_change_permission(request, obj)

    def propose_change(self, request, proposed, form, formsets):
        return propose_ledger_account_change(proposed=proposed, maker=request.user)

    def has_delete_permission(self, request, obj=None):
        return False


class PostingInline(admin.TabularInline):
    model = Posting
    fields = ["account", "side", POSTING_AMOUNT]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EntrySourceFilter(admin.SimpleListFilter):
    """The sources that have posted, from the index (``entry_sources``): Django's filter of a free-text column
    is a DISTINCT over every entry."""

    title = "source"
    parameter_name = "source__exact"

    def lookups(self, request, model_admin):
        return [(source, source) for source in entry_sources()]

    def queryset(self, request, queryset):
        return queryset.filter(source=self.value()) if self.value() else queryset


class ReversalActionForm(ActionForm):
    reason = forms.CharField(required=False, label="Reason", widget=forms.TextInput(attrs={"size": 40}))


@admin.register(JournalEntry)
class JournalEntryAdmin(LargeListAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Posted entries are read-only. A correction is a reversal, requested here and approved by a checker.
    No date hierarchy: its year and month links are a DISTINCT over every entry; the business date filter
    asks for nothing."""

    list_display = ["id", "business_date", "description", "reference", "source", "posted_by", "posted_at",
                    "reverses"]
    list_filter = [EntrySourceFilter, "business_date"]
    search_fields = ["=id", "=reference"]  # get_search_results: each one indexed lookup
    list_select_related = ["posted_by", "reverses"]
    inlines = [PostingInline]
    # What staff and auditors read first; the replay keys are the services' plumbing, kept out of the way.
    fieldsets = [
        (None, {"fields": ["business_date", "description", "reference", "source", "posted_by", "posted_at",
                           "reverses"]}),
        ("Replay protection", {
            "classes": ["collapse"], "fields": ["idempotency_key", "fingerprint"],
            "description": "The key the posting service was called with, and the digest of the entry's content: a "
                           "second call with the same key returns this entry instead of posting again.",
        }),
    ]
    action_form = ReversalActionForm
    actions = ["request_reversal"]

    def get_queryset(self, request):
        return journal_entries_visible_to(request.user, super().get_queryset(request))

    def get_search_results(self, request, queryset, search_term):
        """``123`` or ``JE123``: that entry; anything else: the entries with that reference, exactly (the
        indexed columns; an account's entries are on its page, and a word of a description among millions of
        entries would be a scan of them all)."""
        term = search_term.strip()
        if not term:
            return queryset, False
        number = row_number(term)
        if number is not None:
            return queryset.filter(pk=number), False
        return queryset.filter(reference=term), False


    @admin.action(description="Request reversal of the selected entries (maker-checker)",
                  permissions=["request_reversal"])
    def request_reversal(self, request, queryset):
        reason = request.POST.get("reason", "").strip()
        if not reason:
            self.message_user(request, "Give a reason for the reversal.", messages.ERROR)
            return
        for entry in queryset:
            try:
                approval = request_approval(
                    operation="ledger.reverse_journal_entry",
                    parameters={"entry_id": entry.pk, "reason": reason},
                    summary=f"Reverse JE{entry.pk} ({entry.description}): {reason}",
                    maker=request.user,
                )
            except DomainError as error:
                self.message_user(request, f"JE{entry.pk}: {error}", messages.ERROR)
            else:
                self.message_user(request, f"Reversal of JE{entry.pk} requested as approval #{approval.pk}.")

    def has_request_reversal_permission(self, request):
        return request.user.has_perm("ledger.request_reversal")


@admin.register(Posting)
class PostingAdmin(LargeListAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "entry", "account", "side", POSTING_AMOUNT]
    list_filter = ["side", currency_filter()]
    fields = ["entry", "account", "side", POSTING_AMOUNT]
    readonly_fields = fields
    search_fields = ["account__code", "=entry__id"]
    list_select_related = ["entry", "account"]

    def get_queryset(self, request):
        return postings_visible_to(request.user, super().get_queryset(request))

    def get_search_results(self, request, queryset, search_term):
        """``123`` or ``JE123``: that entry's postings; anything else: the postings of the ledger account with
        that code (an account number, spaces allowed)."""
        term = search_term.strip()
        if not term:
            return queryset, False
        number = row_number(term)
        if number is not None:
            return queryset.filter(entry_id=number), False
        return queryset.filter(account__code__in=[term, compact(term)]), False



from apps.ledger import ledger_check_admin  # noqa: F401, E402  registers the "Trial balance and ledger check" page
