"""What staff do at the counter from the account pages: open an account, cash, holds, a statement for any
period. Every write is a service call; a refusal comes back on the form in the service's words."""

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse

from apps.accounts.admin_forms import CashOperationForm, HoldForm, OpenAccountForm, StatementForm
from apps.accounts.models import Account, Hold, TellerTransaction
from apps.accounts.selectors import with_balances
from apps.accounts.services import holds, teller
from apps.accounts.services.opening import may_open_accounts, open_account
from apps.accounts.statements import statement_download, statement_summary
from apps.domain_errors import DomainError, PermissionRefused
from apps.money import Money, format_amount
from apps.organization.branch_scope import visible_to
from apps.organization.selectors import current_business_date
from config.admin_operations import operation_page


class AccountPagesMixin:
    """The pages beside the change page: statement, cash at the counter, holds, opening an account."""

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {**(extra_context or {}),
                                                 "can_open_account": self.has_open_permission(request)})

    def get_urls(self):
        view = self.admin_site.admin_view
        return [path("<int:pk>/statement/", view(self.statement_view), name="accounts_account_statement"),
                path("<int:pk>/cash/", view(self.cash_view), name="accounts_account_cash"),
                path("<int:pk>/holds/place/", view(self.hold_view), name="accounts_account_hold"),
                path("<int:pk>/holds/<int:hold_id>/release/", view(self.release_hold_view),
                     name="accounts_account_release_hold"),
                path("open/", view(self.open_view), name="accounts_account_open"),
                *super().get_urls()]

    def operation_page(self, request, account, form, *, title, button, intro="", **options):
        """An operation's page (config.admin_operations): the account's owner, product and available balance on
        top, then the form and its one button."""
        return operation_page(
            self, request, form=form, obj=account, title=title, submit_label=button, intro=intro,
            cancel_url=reverse("admin:accounts_account_change", args=[account.pk]),
            facts=[("Customer", account.customer), ("Product", f"{account.product} ({account.get_status_display()})"),
                   ("Available balance", format_amount(account.available_balance, account.currency))],
            **options)

    def _visible_account(self, request, pk):
        return get_object_or_404(with_balances(visible_to(request.user, Account.objects.all())), pk=pk)

    def statement_view(self, request, pk):
        """A statement for the period asked (this month by default) as PDF or CSV: the form is sent with GET (a
        read), and a valid one answers with ``statements.statement_download``."""
        account = self._visible_account(request, pk)
        date_to = current_business_date()
        defaults = {"date_from": date_to.replace(day=1), "date_to": date_to, "format": "pdf"}
        asked = "format" in request.GET
        form = StatementForm({**defaults, **request.GET.dict()} if asked else None, initial=defaults)
        if asked and form.is_valid():
            chosen = form.cleaned_data
            summary = statement_summary(account, chosen["date_from"], chosen["date_to"])
            return statement_download(summary, kind=chosen["format"])
        return self.operation_page(request, account, form, title=f"Statement: {account.number}",
                                   button="Download the statement", crumb="Statement", method="get",
                                   intro="Every posting of the period with the running balance, the opening and "
                                         "closing balances, interest and fees.")

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
        return self.operation_page(request, account, form, title=f"Cash at the counter: {account.number}",
                                   button="Submit")

    def _hold_scope(self, request, pk):
        account = self._visible_account(request, pk)
        try:
            holds.ensure_staff_may_change_holds(request.user, account)
        except PermissionRefused as refused:
            raise PermissionDenied(str(refused)) from None
        return account

    def hold_view(self, request, pk):
        """Place a hold with ``holds.place_hold``, which refuses one the available balance does not cover."""
        account = self._hold_scope(request, pk)
        posted = request.POST if request.method == "POST" else None
        form = HoldForm(posted, currency=account.currency)
        if posted is not None and form.is_valid():
            chosen = form.cleaned_data
            try:
                hold = holds.place_hold(account=account, amount=chosen["amount"], reason=chosen["reason"],
                                        expires_on=chosen["expires_on"], actor=request.user,
                                        idempotency_key=f"admin:{request.user.pk}:{chosen['idempotency_key']}")
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                self.message_user(request, f"Hold of {format_amount(hold.amount, account.currency)} placed on "
                                           f"{account.number}: {hold.reason}.", messages.SUCCESS)
                return redirect("admin:accounts_account_change", account.pk)
        return self.operation_page(request, account, form, title=f"Place a hold: {account.number}",
                                   button="Place the hold",
                                   intro="The amount is set aside: it stays in the account but lowers the available "
                                         "balance until the hold is released or expires.")

    def release_hold_view(self, request, pk, hold_id):
        """Release an active hold (``holds.release_hold``); a GET asks to confirm."""
        account = self._hold_scope(request, pk)
        hold = get_object_or_404(Hold.objects.filter(account=account), pk=hold_id)
        try:
            holds.ensure_releasable_by(hold, Hold.Purpose.STAFF)
        except DomainError as error:
            self.message_user(request, str(error), messages.ERROR)
            return redirect("admin:accounts_account_change", account.pk)
        if request.method == "POST":
            try:
                holds.release_hold(hold=hold, actor=request.user)
            except DomainError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, f"Hold of {format_amount(hold.amount, account.currency)} on "
                                           f"{account.number} released: the money is available again.",
                                  messages.SUCCESS)
            return redirect("admin:accounts_account_change", account.pk)
        return self.operation_page(request, account, None, title=f"Release a hold: {account.number}",
                                   button="Release the hold",
                                   intro=f"Release the hold of {format_amount(hold.amount, account.currency)} "
                                         f"({hold.reason}, placed on {hold.placed_on:%d %b %Y})?")

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
        return operation_page(
            self, request, form=form, title="Open an account", submit_label="Open the account",
            cancel_url=reverse("admin:accounts_account_changelist"),
            intro="The customer's KYC must be verified. A term deposit needs a maturity instruction (and, to pay out, "
                  "a linked account of the same customer). An account whose product has a minimum opening balance "
                  "stays pending until a deposit reaches it.")
