"""What staff do from the account pages: open an account, cash at the counter, this month's statement, and
the freeze, unfreeze and closure actions. Every write is a service call."""

import uuid

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path

from apps.accounts.admin_forms import CashOperationForm, OpenAccountForm
from apps.accounts.models import Account, TellerTransaction
from apps.accounts.selectors import with_balances
from apps.accounts.services import lifecycle, teller
from apps.accounts.services.opening import may_open_accounts, open_account
from apps.accounts.statements import statement_download, statement_summary
from apps.domain_errors import DomainError, PermissionRefused
from apps.money import Money
from apps.organization.branch_scope import visible_to
from apps.organization.selectors import current_business_date


class AccountPagesMixin:
    """The pages beside the change page: statement, cash at the counter, opening an account."""

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
        return statement_download(summary, kind="pdf" if request.GET.get("format") == "pdf" else "csv")

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


class AccountActionsMixin:
    """Freeze, and maker-checker unfreeze and closure, on the accounts selected in the list."""

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
