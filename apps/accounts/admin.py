import uuid

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html

from apps.accounts.account_numbers import InvalidAccountNumber, validate_account_number
from apps.accounts.admin_forms import CashOperationForm, OpenAccountForm
from apps.accounts.models import Account, DepositProduct, Hold, InterestAccrual, InterestTier, TellerTransaction
from apps.accounts.selectors import with_balances
from apps.accounts.services import lifecycle, products, teller
from apps.accounts.services.opening import may_open_accounts, open_account
from apps.accounts.statements import csv_rows, pdf_file, statement_summary
from apps.domain_errors import DomainError, PermissionRefused
from apps.money import Money, to_minor_unit
from apps.organization.branch_scope import BranchScopedAdminMixin, visible_to
from apps.organization.configuration_admin import ConfigurationChangeAdminMixin
from apps.organization.selectors import current_business_date
from config.history_admin import EvidenceHistoryAdmin
from config.read_only_admin import ReadOnlyAdminMixin


class InterestTierInline(admin.TabularInline):
    model = InterestTier
    extra = 0


@admin.register(DepositProduct)
class DepositProductAdmin(ConfigurationChangeAdminMixin, EvidenceHistoryAdmin):
    """Products and their interest tiers. Saving proposes the change (or the new product) to a checker:
    ``products.propose_product_change``; nothing changes until another person approves it."""

    list_display = ["code", "name", "kind", "currency", "interest_rate", "day_count", "posting_frequency",
                    "overdraft_limit", "monthly_fee", "term_months", "is_active"]
    list_filter = ["kind", "currency", "is_active"]
    search_fields = ["code", "name"]
    inlines = [InterestTierInline]

    def propose_change(self, request, proposed, form, formsets):
        return products.propose_product_change(proposed=proposed, tiers=_proposed_tiers(formsets),
                                               maker=request.user)

    def has_delete_permission(self, request, obj=None):
        return False


def _proposed_tiers(formsets) -> list[tuple] | None:
    """The whole set of tiers the inline forms describe (kept, changed and added rows; deleted ones left out)."""
    tiers = []
    for formset in formsets:
        if formset.model is not InterestTier:
            continue
        for tier_form in formset.forms:
            cleaned = getattr(tier_form, "cleaned_data", None) or {}
            if not cleaned or formset._should_delete_form(tier_form):
                continue
            tiers.append((cleaned["minimum_balance"], cleaned["rate"]))
        return tiers
    return None


class HoldInline(admin.TabularInline):
    model = Hold
    fields = ["amount", "reason", "status", "placed_on", "expires_on", "placed_by", "released_on"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Account)
class AccountAdmin(BranchScopedAdminMixin, EvidenceHistoryAdmin):
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

    def get_queryset(self, request):
        return with_balances(super().get_queryset(request))

    def get_search_results(self, request, queryset, search_term):
        compact = "".join(search_term.split())
        if len(compact) >= 20 and compact[:2].isalpha():
            try:
                compact = validate_account_number(compact)
            except InvalidAccountNumber as error:
                self.message_user(request, str(error), messages.WARNING)
                return queryset.none(), False
            return queryset.filter(number=compact), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description="Ledger balance", ordering="ledger_balance")
    def ledger_balance(self, account):
        return to_minor_unit(account.ledger_balance, account.product.currency)

    @admin.display(description="Held")
    def held(self, account):
        return to_minor_unit(account.held, account.product.currency)

    @admin.display(description="Available", ordering="available_balance")
    def available_balance(self, account):
        return to_minor_unit(account.available_balance, account.product.currency)

    @admin.display(description="Statement (this month)")
    def statements(self, account):
        if not account.pk:
            return "-"
        return format_html('<a href="{0}?format=csv">CSV</a> · <a href="{0}?format=pdf">PDF</a>',
                           "../statement/")

    @admin.display(description="Cash at the counter")
    def cash_operation(self, account):
        if not account.pk:
            return "-"
        return format_html('<a href="{}">Deposit or withdraw cash</a>', "../cash/")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and request.user.has_perm(teller.CASH_PERMISSION):
            fields.append("cash_operation")
        return fields

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {**(extra_context or {}),
                                                 "can_open_account": self.has_open_permission(request)})

    def get_urls(self):
        view = self.admin_site.admin_view
        return [path("<int:pk>/statement/", view(self.statement_view), name="accounts_account_statement"),
                path("<int:pk>/cash/", view(self.cash_view), name="accounts_account_cash"),
                path("open/", view(self.open_view), name="accounts_account_open"),
                *super().get_urls()]

    def statement_view(self, request, pk):
        account = get_object_or_404(visible_to(request.user, Account.objects.select_related("product")), pk=pk)
        date_to = current_business_date()
        summary = statement_summary(account, date_to.replace(day=1), date_to)
        name = f"statement-{account.number}-{summary.date_from}-{date_to}"
        if request.GET.get("format") == "pdf":
            return FileResponse(pdf_file(summary), as_attachment=True, filename=f"{name}.pdf")
        response = StreamingHttpResponse(csv_rows(summary), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response

    def cash_view(self, request, pk):
        """Cash deposit or withdrawal at the counter: ``teller.submit_cash_operation``, whose rule (an account the
        user may change, the ``accounts.operate_cash`` permission) also decides whether the page opens at all."""
        account = get_object_or_404(with_balances(visible_to(request.user, Account.objects.all())), pk=pk)
        try:
            teller.ensure_may_handle_cash(request.user, account)
        except PermissionRefused as refused:
            raise PermissionDenied(str(refused)) from None
        posted = request.POST if request.method == "POST" else None
        form = CashOperationForm(posted, currency=account.currency)
        if posted is not None and form.is_valid():
            try:
                result = teller.submit_cash_operation(
                    kind=form.cleaned_data["kind"], account=account, amount=form.cleaned_data["amount"],
                    teller=request.user,
                    idempotency_key=f"admin:{request.user.pk}:{form.cleaned_data['idempotency_key']}",
                )
            except DomainError as error:
                # Nothing was written under this key, and a key already used for another operation would
                # refuse every retry: the page comes back with a fresh one.
                form = CashOperationForm({**request.POST.dict(), "idempotency_key": uuid.uuid4()},
                                         currency=account.currency)
                form.add_error(None, str(error))
            else:
                if isinstance(result, TellerTransaction):
                    amount = Money(result.amount, result.currency)
                    done = "was already recorded" if result.replayed else "recorded"
                    self.message_user(request, f"{result.get_kind_display()} of {amount} on {account.number} {done}:"
                                               f" receipt {result.receipt_number}.")
                    return redirect("admin:accounts_tellertransaction_receipt", pk=result.pk)
                self.message_user(request, f"Above your cash limit: approval #{result.pk} is waiting for a branch "
                                           "manager's approval.", messages.WARNING)
                return redirect("admin:accounts_account_change", account.pk)
        return TemplateResponse(request, "admin/accounts/account/cash.html", {
            **self.admin_site.each_context(request), "opts": self.opts, "original": account, "form": form,
            "available": Money(account.available_balance, account.currency),
            "title": f"Cash at the counter: {account.number}",
        })

    def has_open_permission(self, request):
        return may_open_accounts(request.user)  # open_account's own rule

    def open_view(self, request):
        """Open an account with ``opening.open_account``; a refusal (KYC, product, maturity) is a form error."""
        if not self.has_open_permission(request):
            raise PermissionDenied
        posted = request.POST if request.method == "POST" else None
        form = OpenAccountForm(posted, user=request.user, admin_site=self.admin_site)
        if posted is not None and form.is_valid():
            try:
                chosen = form.cleaned_data
                account = open_account(customer=chosen["customer"], product=chosen["product"],
                                       branch=chosen["branch"], actor=request.user,
                                       maturity_instruction=chosen["maturity_instruction"],
                                       linked_account=chosen["linked_account"])
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                self.message_user(request, f"Account {account.number} opened ({account.get_status_display()}).",
                                  messages.SUCCESS)
                return redirect("admin:accounts_account_change", account.pk)
        return TemplateResponse(request, "admin/accounts/account/open.html", {
            **self.admin_site.each_context(request), "opts": self.opts, "form": form,
            "media": self.media + form.media, "title": "Open an account",
        })

    def _each(self, request, queryset, run, done):
        for account in queryset:
            try:
                result = run(account)
            except DomainError as error:
                self.message_user(request, f"{account.number}: {error}", messages.ERROR)
            else:
                self.message_user(request, f"{account.number}: {done(result)}")

    @admin.action(description="Freeze the selected accounts (compliance)", permissions=["freeze"])
    def freeze(self, request, queryset):
        self._each(request, queryset,
                   lambda a: lifecycle.freeze_account(account=a, reason="Frozen from the admin", actor=request.user),
                   lambda _: "frozen.")

    @admin.action(description="Request unfreezing (maker-checker)", permissions=["freeze"])
    def request_unfreeze(self, request, queryset):
        self._each(request, queryset,
                   lambda a: lifecycle.request_unfreeze(account=a, reason="Requested from the admin",
                                                        maker=request.user),
                   lambda approval: f"unfreezing requested as approval #{approval.pk}.")

    @admin.action(description="Request closure, paying the balance out in cash (maker-checker)",
                  permissions=["close"])
    def request_closure(self, request, queryset):
        self._each(request, queryset, lambda a: lifecycle.request_closure(account=a, maker=request.user),
                   lambda approval: f"closure requested as approval #{approval.pk}.")

    def has_freeze_permission(self, request):
        return request.user.has_perm("accounts.freeze_account")

    def has_close_permission(self, request):
        return request.user.has_perm("accounts.request_account_closure")

    def has_add_permission(self, request):
        return False  # accounts are opened through the API's service (KYC gate, ledger account, number)

    def save_model(self, request, obj, form, change):
        """Every field of an account is the lifecycle's, the teller's or end of day's, and read-only here: a
        save of the change page writes nothing (a full-row save would put back what a service just changed,
        a freeze for one)."""

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TellerTransaction)
class TellerTransactionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Cash receipts (read-only); each has a printable receipt page."""

    list_display = ["receipt", "kind", "account", "amount", "currency", "teller", "approved_by", "business_date",
                    "created_at"]
    list_filter = ["kind", "business_date", "branch"]
    search_fields = ["account__number", "idempotency_key"]
    list_select_related = ["account", "teller", "approved_by"]
    readonly_fields = [f.name for f in TellerTransaction._meta.fields]

    def get_queryset(self, request):
        accounts = visible_to(request.user, Account.objects.all())
        return super().get_queryset(request).filter(account__in=accounts)

    @admin.display(description="Receipt")
    def receipt(self, transaction):
        return format_html('<a href="{}/receipt/">{}</a>', transaction.pk, transaction.receipt_number)

    def get_urls(self):
        return [path("<int:pk>/receipt/", self.admin_site.admin_view(self.receipt_view),
                     name="accounts_tellertransaction_receipt"), *super().get_urls()]

    def receipt_view(self, request, pk):
        receipt = get_object_or_404(self.get_queryset(request).select_related("branch", "entry"), pk=pk)
        return TemplateResponse(request, "admin/accounts/receipt.html",
                                {**self.admin_site.each_context(request), "receipt": receipt,
                                 "title": f"Receipt {receipt.receipt_number}"})


@admin.register(InterestAccrual)
class InterestAccrualAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["business_date", "account", "kind", "balance", "annual_rate", "amount", "posted_on"]
    list_filter = ["kind", "business_date"]
    search_fields = ["account__number"]
    list_select_related = ["account"]
    show_full_result_count = False

    def get_queryset(self, request):
        accounts = visible_to(request.user, Account.objects.all())
        return super().get_queryset(request).filter(account__in=accounts)

