"""Freeze and unfreeze with the staff member's reason, closure with a payout, and the early withdrawal of a term
deposit: pages of the account and actions of the list, each calling the lifecycle's or the term deposit's
service (unfreezing and closing are maker-checker: the page records the request)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path

from apps.accounts.admin_forms import AccountReasonForm, ClosureForm
from apps.accounts.models import Account
from apps.accounts.selectors import recent_transactions, unposted_interest
from apps.accounts.services import lifecycle, term
from apps.domain_errors import DomainError, PermissionRefused
from apps.money import format_amount, round_to_currency
from apps.organization.branch_scope import visible_to
from config.admin_operations import bulk_action_page


class AccountStatusPagesMixin:
    """The account page's freeze, unfreeze, closure and early-withdrawal pages."""

    def get_urls(self):
        view = self.admin_site.admin_view
        return [path("<int:pk>/freeze/", view(self.freeze_view), name="accounts_account_freeze"),
                path("<int:pk>/unfreeze/", view(self.unfreeze_view), name="accounts_account_unfreeze"),
                path("<int:pk>/close/", view(self.close_view), name="accounts_account_close"),
                path("<int:pk>/break/", view(self.break_view), name="accounts_account_break"),
                *super().get_urls()]

    def _reason_page(self, request, pk, *, service, done, title, button, intro):
        account = self._visible_account(request, pk)
        posted = request.POST if request.method == "POST" else None
        form = AccountReasonForm(posted)
        if posted is not None and form.is_valid():
            try:
                result = service(account, form.cleaned_data["reason"])
            except PermissionRefused as refused:
                raise PermissionDenied(str(refused)) from None
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                self.message_user(request, done(account, result), messages.SUCCESS)
                return redirect("admin:accounts_account_change", account.pk)
        return self.operation_page(request, account, form, title=f"{title}: {account.number}", button=button,
                                   intro=intro)

    def freeze_view(self, request, pk):
        """Freeze with ``lifecycle.freeze_account`` and the reason typed here (kept in the change log)."""
        return self._reason_page(
            request, pk, title="Freeze the account", button="Freeze the account",
            service=lambda account, reason: lifecycle.freeze_account(account=account, reason=reason,
                                                                     actor=request.user),
            done=lambda account, _: f"Account {account.number} is frozen: nothing may leave it; it still receives "
                                    "money. Unfreezing needs a second person's approval.",
            intro="Nothing may leave a frozen account (it may still receive money). Unfreezing is requested and "
                  "approved by a second person.")

    def unfreeze_view(self, request, pk):
        """Ask for unfreezing with ``lifecycle.request_unfreeze`` (maker-checker)."""
        return self._reason_page(
            request, pk, title="Request unfreezing", button="Request unfreezing",
            service=lambda account, reason: lifecycle.request_unfreeze(account=account, reason=reason,
                                                                       maker=request.user),
            done=lambda account, approval: f"Unfreezing of {account.number} requested: approval #{approval.pk} "
                                           "waits for another compliance officer.",
            intro="A second person with the right to freeze accounts approves or rejects the request; the account "
                  "stays frozen until then.")

    def close_view(self, request, pk):
        """Ask for the closure with ``lifecycle.request_closure`` (maker-checker), paying the balance out in cash
        or to another open account of the customer."""
        account = self._visible_account(request, pk)
        if not self.has_change_permission(request, account):  # the API's staff door: an account one may change
            raise PermissionDenied(f"Account {account.number} belongs to another branch.")
        payout_accounts = list(
            visible_to(request.user, Account.objects.filter(
                customer_id=account.customer_id, product__currency=account.currency,
                status__in=(Account.Status.ACTIVE, Account.Status.DORMANT)).exclude(pk=account.pk))
            .select_related("product").order_by("number"))
        posted = request.POST if request.method == "POST" else None
        form = ClosureForm(posted, payout_accounts=payout_accounts)
        if posted is not None and form.is_valid():
            try:
                approval = lifecycle.request_closure(account=account, maker=request.user,
                                                     payout_to=form.cleaned_data["payout_to"],
                                                     reason=form.cleaned_data["reason"])
            except PermissionRefused as refused:
                raise PermissionDenied(str(refused)) from None
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                self.message_user(request, f"Closure of {account.number} requested: approval #{approval.pk} waits "
                                           "for a second person; the account stays open until then.",
                                  messages.SUCCESS)
                return redirect("admin:accounts_account_change", account.pk)
        return self.operation_page(
            request, account, form, title=f"Request closure: {account.number}", button="Request closure",
            intro="On approval, unposted interest is paid, then the balance goes where you choose and the account "
                  "closes at zero. Refused while it has active holds, is overdrawn or frozen.")

    def break_view(self, request, pk):
        """Withdraw a term deposit early with ``term.break_term_deposit`` (the product's penalty applies)."""
        account = self._visible_account(request, pk)
        try:
            term.ensure_may_break_term_deposit(request.user, account)
        except PermissionRefused as refused:
            raise PermissionDenied(str(refused)) from None
        if request.method == "POST":
            try:
                term.break_term_deposit(deposit=account, actor=request.user)
            except DomainError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                payout = next((line for line in recent_transactions(account, limit=1) if line.debit), None)
                paid = f"{format_amount(payout.debit, account.currency)} paid out" if payout else "nothing to pay out"
                self.message_user(request, f"Term deposit {account.number} withdrawn early and closed: {paid}.",
                                  messages.SUCCESS)
            return redirect("admin:accounts_account_change", account.pk)
        currency = account.currency
        linked = account.linked_account
        paid_to = f"account {linked.number}" if linked is not None else "cash at the branch"
        earned = format_amount(round_to_currency(unposted_interest(account), currency), currency)
        penalty = f"{account.product.early_withdrawal_penalty.normalize():f}%"
        return self.operation_page(
            request, account, None, title=f"Break the term deposit: {account.number}",
            button="Break the term deposit",
            intro=f"Withdraw {format_amount(account.ledger_balance, currency)} before maturity "
                  f"({account.maturity_date:%d %b %Y}). Interest earned and not yet paid, {earned}, is paid less "
                  f"the product's penalty of {penalty} of it; the whole balance goes to {paid_to} and the deposit "
                  "closes.")


class AccountActionsMixin:
    """Freeze (with a reason), and maker-checker unfreeze (with a reason) and closure, on the accounts selected
    in the list."""

    def _each(self, request, queryset, run, done):
        for account in queryset:
            try:
                result = run(account)
            except DomainError as error:
                self.message_user(request, f"{account.number}: {error}", messages.ERROR)
            else:
                self.message_user(request, f"{account.number}: {done(result)}")

    def _with_reason(self, request, queryset, *, verb, run, done):
        """Ask for the reason on a page of its own, then run the service for each account with it."""
        form = AccountReasonForm(request.POST if "confirm" in request.POST else None)
        if form.is_bound and form.is_valid():
            self._each(request, queryset, lambda account: run(account, form.cleaned_data["reason"]), done)
            return None
        return bulk_action_page(self, request, form=form, queryset=queryset, title=f"{verb}: give the reason",
                                submit_label=verb, intro=f"{verb}: these accounts.",
                                describe=lambda a: f"{a.number}, {a.customer} ({a.get_status_display()})")

    @admin.action(description="Freeze the selected accounts (compliance; give a reason)", permissions=["freeze"])
    def freeze(self, request, queryset):
        return self._with_reason(
            request, queryset, verb="Freeze",
            run=lambda a, reason: lifecycle.freeze_account(account=a, reason=reason, actor=request.user),
            done=lambda _: "frozen.")

    @admin.action(description="Request unfreezing (maker-checker; give a reason)", permissions=["freeze"])
    def request_unfreeze(self, request, queryset):
        return self._with_reason(
            request, queryset, verb="Request unfreezing",
            run=lambda a, reason: lifecycle.request_unfreeze(account=a, reason=reason, maker=request.user),
            done=lambda approval: f"unfreezing requested as approval #{approval.pk}.")

    @admin.action(description="Request closure, paying the balance out in cash (maker-checker)",
                  permissions=["close"])
    def request_closure(self, request, queryset):
        self._each(request, queryset, lambda a: lifecycle.request_closure(account=a, maker=request.user),
                   lambda approval: f"closure requested as approval #{approval.pk}.")

    def has_freeze_permission(self, request):
        return request.user.has_perm("accounts.freeze_account")

    def has_close_permission(self, request):
        return request.user.has_perm("accounts.request_account_closure")
